package dev.tickroom.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Which game endpoint ({@code host:port} of the TCP game port) each cluster member serves, replicated to
 * every node, so a leaving node can tell its clients where to reconnect.
 */
public final class GameEndpoints {
  private static final Key<LWWMap<String, String>> KEY = LWWMapKey.create("game-endpoints");
  private final ActorSystem<?> system;
  private final Replicated replicated;

  public GameEndpoints(ActorSystem<?> system, Replicated replicated) {
    this.system = system;
    this.replicated = replicated;
  }

  /** Announces this node's game endpoint. */
  public void publish(String endpoint) {
    String self = Cluster.get(system).selfMember().address().toString();
    replicated.update(KEY, LWWMap.create(), m -> m.put(replicated.self(), self, endpoint));
  }

  /** Endpoints of the other members that are up, as this node knows them. */
  public CompletionStage<List<String>> others() {
    return all().thenApply(map -> {
      String self = Cluster.get(system).selfMember().address().toString();
      List<String> out = new ArrayList<>();
      for (Member m : Cluster.get(system).state().getMembers()) {
        String address = m.address().toString();
        if (m.status() == MemberStatus.up() && !address.equals(self) && map.containsKey(address)) out.add(map.get(address));
      }
      return out;
    });
  }

  /** Member address -> game endpoint, for every node that announced one. */
  public CompletionStage<Map<String, String>> all() {
    return replicated.getLocal(KEY).thenApply(m -> m.map(LWWMap::getEntries).orElse(Map.of()));
  }
}
