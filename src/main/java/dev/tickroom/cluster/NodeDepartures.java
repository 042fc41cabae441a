package dev.tickroom.cluster;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * When nodes left the cluster, so that whatever belonged to a node that crashed can age from that moment:
 * a player whose session died with its node never had its disconnect recorded, and its resume token must
 * still expire one resume grace after the node went. Thread-safe: sessions ask from their own threads.
 */
public final class NodeDepartures {
  private static final int REMEMBERED = 1024;

  private final Map<Address, Long> removedAt = new ConcurrentHashMap<>();
  private final LongSupplier millis;
  private final java.util.function.Predicate<Address> isMember;

  NodeDepartures(LongSupplier millis, java.util.function.Predicate<Address> isMember) {
    this.millis = millis;
    this.isMember = isMember;
  }

  /** Follows this node's cluster: removals are recorded as they are seen. */
  public static NodeDepartures start(ActorContext<?> ctx) {
    Cluster cluster = Cluster.get(ctx.getSystem());
    NodeDepartures departures = new NodeDepartures(System::currentTimeMillis, a -> {
      for (Member m : cluster.state().getMembers()) if (m.address().equals(a)) return true;
      return false;
    });
    ctx.spawn(Behaviors.<ClusterEvent.MemberRemoved>setup(c -> {
      cluster.subscriptions().tell(Subscribe.create(c.getSelf(), ClusterEvent.MemberRemoved.class));
      return Behaviors.receiveMessage(removed -> {
        departures.removed(removed.member().address());
        return Behaviors.same();
      });
    }), "node-departures");
    return departures;
  }

  void removed(Address node) {
    if (removedAt.size() >= REMEMBERED) removedAt.clear(); // older departures than the grace are not needed
    removedAt.put(node, millis.getAsLong());
  }

  /**
   * Empty while the actor's node is alive (or the actor is on this node); otherwise the epoch ms since which
   * its node is gone: when it was removed, or 0 when this node never saw it as a member.
   */
  public OptionalLong goneSince(ActorRef<?> actor) {
    Address node = actor.path().address();
    if (node.hasLocalScope() || isMember.test(node)) return OptionalLong.empty();
    return OptionalLong.of(removedAt.getOrDefault(node, 0L));
  }
}
