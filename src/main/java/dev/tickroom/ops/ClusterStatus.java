package dev.tickroom.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tickroom.protocol.Codec;
import dev.tickroom.room.RoomEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster as operators see it: members and their status, and per node its game endpoint, connections
 * and rooms (game, tick, players). Gathered from every node's {@link NodeStatus}; nodes that do not
 * answer in time are listed without details.
 */
public final class ClusterStatus {
  private final ActorSystem<?> system;
  private final Duration timeout;
  /** Per node: the time and counters of the previous call, to turn totals into rates. */
  private final Map<String, double[]> previous = new java.util.concurrent.ConcurrentHashMap<>();
  private final long cacheNanos;
  private final int maxRooms;
  /** The last document and when it was asked for: every caller within cacheNanos shares it. */
  private volatile Cached cached;

  private record Cached(long at, CompletionStage<ObjectNode> json) {}

  /** Without a cache, listing up to 1,000 rooms (tests and tools). */
  public ClusterStatus(ActorSystem<?> system, Duration timeout) {
    this(system, timeout, Duration.ZERO, 1000);
  }

  /**
   * @param cache how long one computed document answers every caller
   * @param maxRooms rooms listed in the document at most (counts cover all)
   */
  public ClusterStatus(ActorSystem<?> system, Duration timeout, Duration cache, int maxRooms) {
    this.system = system;
    this.timeout = timeout;
    this.cacheNanos = cache.toNanos();
    this.maxRooms = maxRooms;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  public CompletionStage<List<NodeStatus.Report>> reports() {
    CompletionStage<Receptionist.Listing> listing = AskPattern.ask(
        system.receptionist(), replyTo -> Receptionist.find(NodeStatus.KEY, replyTo), timeout, system.scheduler());
    return listing.thenCompose(l -> {
      List<CompletableFuture<NodeStatus.Report>> asks = new ArrayList<>();
      for (var ref : l.getServiceInstances(NodeStatus.KEY)) {
        asks.add(AskPattern.<NodeStatus.Command, NodeStatus.Report>ask(ref, NodeStatus.GetReport::new, timeout, system.scheduler())
            .exceptionally(err -> null).toCompletableFuture());
      }
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<NodeStatus.Report> out = new ArrayList<>();
        for (CompletableFuture<NodeStatus.Report> f : asks) if (f.join() != null) out.add(f.join());
        return out;
      });
    });
  }

  /**
   * The JSON document of {@code /admin/status} and {@code /api/status}: computed at most once per cache
   * period however many ask, so the cost for the cluster does not grow with the number of viewers.
   */
  public CompletionStage<ObjectNode> json() {
    long now = System.nanoTime();
    Cached c = cached;
    if (c != null && now - c.at() < cacheNanos) return c.json();
    synchronized (this) {
      c = cached;
      if (c != null && now - c.at() < cacheNanos) return c.json();
      CompletionStage<ObjectNode> fresh = compute();
      cached = new Cached(now, fresh);
      return fresh;
    }
  }

  private CompletionStage<ObjectNode> compute() {
    return reports().thenApply(reports -> {
      Map<String, NodeStatus.Report> byAddress = new HashMap<>();
      reports.forEach(r -> byAddress.put(r.address(), r));
      ObjectNode root = Codec.MAPPER.createObjectNode();
      root.put("node", Cluster.get(system).selfMember().address().toString());
      root.put("time", System.currentTimeMillis());
      ArrayNode members = root.putArray("members");
      ArrayNode rooms = root.putArray("rooms");
      int tcp = 0;
      int ws = 0;
      double inRate = 0;
      double outRate = 0;
      double tickP99 = 0;
      long now = System.nanoTime();
      for (Member m : Cluster.get(system).state().getMembers()) {
        String address = m.address().toString();
        ObjectNode member = members.addObject();
        member.put("address", address);
        member.put("status", m.status().toString());
        boolean unreachable = Cluster.get(system).state().getUnreachable().contains(m);
        member.put("reachable", !unreachable);
        NodeStatus.Report r = byAddress.get(address);
        if (r != null) {
          member.put("game", r.game());
          member.putObject("connections").put("tcp", r.tcp()).put("ws", r.ws());
          member.put("rooms", r.roomsRunning());
          member.put("players_in_rooms", r.players());
          tcp += r.tcp();
          ws += r.ws();
          double[] last = previous.put(address, new double[] {now, r.messagesIn(), r.messagesOut()});
          double secs = last == null ? 0 : (now - last[0]) / 1e9;
          double nodeIn = secs > 0 ? Math.max(0, r.messagesIn() - last[1]) / secs : 0;
          double nodeOut = secs > 0 ? Math.max(0, r.messagesOut() - last[2]) / secs : 0;
          member.put("messages_in_per_s", round(nodeIn)).put("messages_out_per_s", round(nodeOut))
              .put("tick_ms_p99", round(r.tickP99Ms()));
          ArrayNode byRoom = member.putArray("bytes_out_by_room");
          if (r.bytesOutByRoom() != null) r.bytesOutByRoom().forEach(e -> byRoom.addObject().put("room", e.room()).put("bytes", e.bytes()));
          inRate += nodeIn;
          outRate += nodeOut;
          tickP99 = Math.max(tickP99, r.tickP99Ms());
          for (RoomEntity.Info i : r.rooms()) {
            if (rooms.size() >= maxRooms) {
              root.put("rooms_truncated", true);
              break;
            }
            rooms.addObject().put("room", i.roomId()).put("game", i.game()).put("tick", i.tick())
                .put("players", i.players()).put("node", address);
          }
        }
      }
      root.putObject("connections").put("tcp", tcp).put("ws", ws);
      root.putObject("rates").put("messages_in_per_s", round(inRate)).put("messages_out_per_s", round(outRate))
          .put("tick_ms_p99", round(tickP99));
      return root;
    });
  }
}
