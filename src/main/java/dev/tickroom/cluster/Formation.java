package dev.tickroom.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** How a node finds its cluster: seed nodes from config or {@code SEED_NODES}, else it joins itself. */
public final class Formation {
  public static final String SYSTEM_NAME = "tickroom";

  private Formation() {}

  /** Config overrides from the environment that HOCON substitution cannot express (a list from one variable). */
  public static Config environmentOverrides(Map<String, String> env) {
    String seeds = env.get("SEED_NODES");
    if (seeds == null || seeds.isBlank()) return ConfigFactory.empty();
    List<String> addresses = new ArrayList<>();
    for (String hostPort : seeds.split(",")) {
      String s = hostPort.trim();
      if (s.isEmpty()) continue;
      if (!s.matches("[^:/@\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("SEED_NODES must be comma-separated host:port of cluster ports, got '" + s + "'");
      }
      addresses.add("pekko://" + SYSTEM_NAME + "@" + s);
    }
    return ConfigFactory.parseMap(Map.of("pekko.cluster.seed-nodes", addresses));
  }

  /**
   * Starts Pekko Management (health and readiness checks, cluster members, our admin view) and forms the
   * cluster: with Cluster Bootstrap when configured, else through the seed nodes; with neither, the node
   * forms a one-node cluster by joining itself. Completes with the management HTTP address.
   */
  public static CompletionStage<String> start(ActorSystem<?> system) {
    Config c = system.settings().config();
    String formation = c.getString("tickroom.cluster.formation");
    if (!formation.equals("seeds") && !formation.equals("bootstrap")) {
      throw new IllegalArgumentException("tickroom.cluster.formation must be seeds or bootstrap, was " + formation);
    }
    org.apache.pekko.actor.ActorSystem classic = Adapter.toClassic(system);
    CompletionStage<String> management = PekkoManagement.get(classic).start().thenApply(Object::toString);
    if (formation.equals("bootstrap")) {
      ClusterBootstrap.get(classic).start();
    } else if (c.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    return management;
  }
}
