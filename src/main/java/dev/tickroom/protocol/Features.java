package dev.tickroom.protocol;

import java.util.ArrayList;
import java.util.List;

/** The one list of v1.1 features a node announces in {@code welcome.features} (PROTOCOL.md "v1.1 additions"). */
public final class Features {
  /** A fresh {@code joined} after a room moves or restarts; tick and ack never go back otherwise. */
  public static final String RESYNC = "resync";
  /** {@code hello.token} checked by the node's authenticator (only when one is configured). */
  public static final String AUTH = "auth";
  /** {@code hello.sync: "patch"}: states as merge patches. */
  public static final String PATCH = "patch";
  /** {@code hello.format: "cbor"}: CBOR documents with string tables. */
  public static final String CBOR = "cbor";

  private Features() {}

  /** What this node supports without an authenticator. */
  public static List<String> supported() {
    return supported(false);
  }

  /** What this node supports; {@code auth} only with an authenticator configured. */
  public static List<String> supported(boolean auth) {
    List<String> f = new ArrayList<>();
    // features every node of this build has: one line each
    f.add(RESYNC);
    f.add(PATCH);
    f.add(CBOR);
    if (auth) f.add(AUTH);
    return List.copyOf(f);
  }
}
