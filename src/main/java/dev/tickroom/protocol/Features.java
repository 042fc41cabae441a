package dev.tickroom.protocol;

import java.util.ArrayList;
import java.util.List;

/** The one list of v1.1 features a node announces in {@code welcome.features} (PROTOCOL.md "v1.1 additions"). */
public final class Features {
  /** A fresh {@code joined} after a room moves or restarts; tick and ack never go back otherwise. */
  public static final String RESYNC = "resync";

  private Features() {}

  /** What this node supports. */
  public static List<String> supported() {
    List<String> f = new ArrayList<>();
    // features every node of this build has: one line each
    f.add(RESYNC);
    return List.copyOf(f);
  }
}
