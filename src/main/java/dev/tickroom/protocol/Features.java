package dev.tickroom.protocol;

import java.util.List;

/** What this server supports beyond protocol v1, sent in {@code welcome.features} (PROTOCOL.md, v1.1). */
public final class Features {
  public static final List<String> LIST = List.of("quick_join");

  private Features() {}
}
