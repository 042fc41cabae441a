package dev.tickroom.protocol;

import java.util.ArrayList;
import java.util.List;

/** The one list of v1.1 features a node announces in {@code welcome.features} (PROTOCOL.md "v1.1 additions"). */
public final class Features {
  public static final String AUTH = "auth";

  private Features() {}

  /** What this node supports; {@code auth} only with an authenticator configured. */
  public static List<String> supported(boolean auth) {
    List<String> f = new ArrayList<>();
    // features every node of this build has: one line each
    if (auth) f.add(AUTH);
    return List.copyOf(f);
  }
}
