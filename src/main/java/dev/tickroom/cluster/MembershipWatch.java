package dev.tickroom.cluster;

import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Follows membership and reachability: remembers which other nodes this node last saw alive (for the
 * {@code reconnect} list of a node that leaves or downs itself) and warns when the cluster has an even
 * number of members under keep-majority, where a clean split in half, or the crash of the
 * lowest-address node of two, downs the half that may be the only one left.
 */
public final class MembershipWatch {
  public interface Command {}

  private record MemberChanged(ClusterEvent.MemberEvent event) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private final ActorContext<Command> ctx;
  private final GameEndpoints endpoints;
  private final String strategy;
  private int warnedAt = -1;

  private MembershipWatch(ActorContext<Command> ctx, GameEndpoints endpoints, String strategy) {
    this.ctx = ctx;
    this.endpoints = endpoints;
    this.strategy = strategy;
  }

  public static Behavior<Command> create(GameEndpoints endpoints, String sbrStrategy) {
    return Behaviors.setup(ctx -> {
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new), ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new),
          ClusterEvent.ReachabilityEvent.class));
      return new MembershipWatch(ctx, endpoints, sbrStrategy).behavior();
    });
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(MemberChanged.class, m -> onChange())
        .onMessage(ReachabilityChanged.class, m -> onChange())
        .build();
  }

  private Behavior<Command> onChange() {
    ClusterEvent.CurrentClusterState state = Cluster.get(ctx.getSystem()).state();
    endpoints.observe(state);
    int up = 0;
    for (Member m : state.getMembers()) if (m.status() == MemberStatus.up()) up++;
    Optional<String> warning = evenSizeWarning(strategy, up);
    if (warning.isPresent() && up != warnedAt) {
      ctx.getLog().warn(warning.get());
      warnedAt = up;
    } else if (warning.isEmpty()) {
      warnedAt = -1;
    }
    return Behaviors.same();
  }

  /** The warning for {@code up} members under the split brain resolver {@code strategy}, if any. */
  static Optional<String> evenSizeWarning(String strategy, int up) {
    if (!strategy.equals("keep-majority") || up < 2 || up % 2 != 0) return Optional.empty();
    String why = up == 2
        ? "if the node with the lowest address crashes, keep-majority downs the survivor too and the service is gone"
        : "a split into two halves of " + (up / 2) + " keeps only the half with the lowest address";
    return Optional.of("this cluster has an even number of members (" + up + ") under keep-majority: " + why
        + "; run an odd number of nodes, or set SBR_STRATEGY=static-quorum with SBR_QUORUM_SIZE,"
        + " or lease-majority on Kubernetes (README, Cluster)");
  }
}
