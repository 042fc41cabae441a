package dev.tickroom.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Which game endpoint ({@code host:port} of the TCP game port) each cluster member serves, replicated to
 * every node, and which members this node last saw alive: so a node that leaves, or downs itself, can tell
 * its clients where to reconnect. The list it gives is never empty.
 */
public final class GameEndpoints {
  private static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("game-endpoints");
  private final ActorSystem<?> system;
  private final Replicated replicated;
  /** Member addresses of the other nodes last seen alive (reachable ones first); written by {@link MembershipWatch}. */
  private volatile List<String> lastAlive = List.of();
  /** Every endpoint this node has seen announced, so a node cut off before its replica was read still knows some. */
  private volatile Map<String, String> lastEndpoints = Map.of();
  private volatile String selfEndpoint = "";

  /** @param replicated with a short timeout: a node going away must not wait long for an unreachable majority */
  public GameEndpoints(ActorSystem<?> system, Replicated replicated) {
    this.system = system;
    this.replicated = replicated;
  }

  /** Announces this node's game endpoint. */
  public void publish(String endpoint) {
    selfEndpoint = endpoint;
    String self = selfAddress();
    replicated.update(KEY, LWWMap.create(), m -> m.put(replicated.self(), self, endpoint));
  }

  /**
   * Remembers which other members are alive in {@code state}: Up or WeaklyUp, the reachable ones first.
   * An empty result (the node downed itself, or everyone else left) keeps the previous list.
   */
  void observe(ClusterEvent.CurrentClusterState state) {
    List<String> alive = aliveOthers(state.getMembers(), state.getUnreachable(), selfAddress());
    if (!alive.isEmpty()) lastAlive = alive;
    all().thenAccept(m -> {
      if (!m.isEmpty()) lastEndpoints = Map.copyOf(m);
    });
  }

  static List<String> aliveOthers(Iterable<Member> members, Set<Member> unreachable, String self) {
    List<String> reachable = new ArrayList<>();
    List<String> unreachableUp = new ArrayList<>();
    for (Member m : members) {
      String address = m.address().toString();
      if (address.equals(self)) continue;
      if (m.status() != MemberStatus.up() && m.status() != MemberStatus.weaklyUp()) continue;
      (unreachable.contains(m) ? unreachableUp : reachable).add(address);
    }
    reachable.addAll(unreachableUp);
    return reachable;
  }

  /**
   * The game endpoints a client of this node should try next, in order: the other members this node
   * last saw alive (reachable first); failing that every other endpoint ever announced; failing that
   * (a one-node cluster) this node's own endpoint, where a restarted node will listen again.
   */
  public CompletionStage<List<String>> reconnectTargets() {
    ClusterEvent.CurrentClusterState state = Cluster.get(system).state();
    List<String> current = aliveOthers(state.getMembers(), state.getUnreachable(), selfAddress());
    List<String> alive = current.isEmpty() ? lastAlive : current;
    return all().thenCompose(local -> {
      // a node that joined moments ago may not have gossiped its endpoint here yet: ask the others
      if (!local.isEmpty() && local.keySet().containsAll(alive)) return CompletableFuture.completedFuture(local);
      return replicated.get(KEY).thenApply(m -> m.map(LWWMap::getEntries).orElse(local));
    }).thenApply(map -> {
      Map<String, String> known = new HashMap<>(lastEndpoints);
      known.putAll(map);
      return targets(alive, known, selfAddress(), selfEndpoint);
    });
  }

  static List<String> targets(List<String> alive, Map<String, String> endpoints, String self, String selfEndpoint) {
    Set<String> out = new LinkedHashSet<>();
    for (String address : alive) {
      String e = endpoints.get(address);
      if (e != null && !e.equals(selfEndpoint)) out.add(e);
    }
    if (out.isEmpty()) {
      endpoints.forEach((address, e) -> {
        if (!address.equals(self) && !e.equals(selfEndpoint)) out.add(e);
      });
    }
    if (out.isEmpty() && !selfEndpoint.isEmpty()) out.add(selfEndpoint);
    return List.copyOf(out);
  }

  /** Member address -> game endpoint, for every node that announced one. */
  public CompletionStage<Map<String, String>> all() {
    return replicated.getLocal(KEY).thenApply(m -> m.map(LWWMap::getEntries).orElse(Map.of()));
  }

  private String selfAddress() {
    return Cluster.get(system).selfMember().address().toString();
  }
}
