package dev.tickroom.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The cluster half of the settings ({@code tickroom.cluster} plus the split brain resolver strategy that
 * the membership watch reasons about), parsed once.
 *
 * @param reconnectDrain on a graceful leave, how long the node waits for its clients to go after telling
 *     them {@code reconnect}, before the rooms are handed off
 * @param sbrStrategy {@code pekko.cluster.split-brain-resolver.active-strategy}
 */
public record ClusterSettings(Duration reconnectDrain, String sbrStrategy) {
  public static ClusterSettings from(Config root) {
    return new ClusterSettings(
        root.getDuration("tickroom.cluster.reconnect-drain"),
        root.getString("pekko.cluster.split-brain-resolver.active-strategy"));
  }
}
