package dev.tickroom.protocol;

import java.util.List;

/**
 * The v1.1 features this server supports, announced in {@code welcome.features} (PROTOCOL.md, "v1.1
 * additions"). The one place they are listed: a feature goes in here when its code lands.
 */
public final class Features {
  /** A fresh {@code joined} after a room moves or restarts; tick and ack never go back otherwise. */
  public static final String RESYNC = "resync";

  public static final List<String> ALL = List.of(RESYNC);

  private Features() {}
}
