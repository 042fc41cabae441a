package dev.tickroom.ops;

import dev.tickroom.cluster.CborSerializable;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.metrics.RoomBytes;
import dev.tickroom.player.SessionRegistry;
import dev.tickroom.room.RoomEntity;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One per node, found through the receptionist: reports this node's connections and the rooms it hosts,
 * for the admin view and the dashboard.
 */
public final class NodeStatus {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "tickroom-node-status");

  public interface Command extends CborSerializable {}

  public record GetReport(ActorRef<Report> replyTo) implements Command {}

  /** One node's view of itself. */
  public record Report(String address, String game, int tcp, int ws, List<RoomEntity.Info> rooms, int roomsRunning,
      int players, double messagesIn, double messagesOut, double tickP99Ms, List<RoomBytes.Entry> bytesOutByRoom)
      implements CborSerializable {}

  /** The rooms this node runs: the first {@code rooms} by id with their details, and how many there are. */
  record LocalRooms(List<RoomEntity.Info> rooms, int running) {}

  record Reply(Report report, ActorRef<Report> replyTo) implements Command {}

  private NodeStatus() {}

  /** @param gameEndpoint this node's game endpoint, known once the port is bound */
  /** @param maxRooms rooms whose details a report carries at most (the count covers all) */
  public static Behavior<Command> create(SessionRegistry sessions, Metrics metrics, CompletionStage<String> gameEndpoint,
      Duration timeout, int maxRooms) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      ActorSystem<?> system = ctx.getSystem();
      String address = Cluster.get(system).selfMember().address().toString();
      return Behaviors.receive(Command.class)
          .onMessage(GetReport.class, msg -> {
            ctx.pipeToSelf(localRooms(system, timeout, maxRooms), (rooms, err) -> {
              Metrics.Snapshot m = metrics.snapshot();
              LocalRooms r = rooms == null ? new LocalRooms(List.of(), 0) : rooms;
              return new Reply(new Report(address, gameEndpoint.toCompletableFuture().getNow(""),
                  sessions.count("tcp"), sessions.count("ws"), r.rooms(), r.running(), m.players(),
                  m.messagesIn(), m.messagesOut(), m.tickP99Ms(), metrics.roomBytes().top(10)), msg.replyTo());
            });
            return Behaviors.same();
          })
          .onMessage(Reply.class, msg -> {
            msg.replyTo().tell(msg.report());
            return Behaviors.same();
          })
          .build();
    });
  }

  /**
   * The rooms this node's shard region runs now (sharding lists only running entities), at most
   * {@code maxRooms} of them asked for their game, tick and players.
   */
  static CompletionStage<LocalRooms> localRooms(ActorSystem<?> system, Duration timeout, int maxRooms) {
    ClusterSharding sharding = ClusterSharding.get(system);
    CompletionStage<ShardRegion.CurrentShardRegionState> state = AskPattern.ask(
        sharding.shardState(), replyTo -> new GetShardRegionState(RoomEntity.TYPE_KEY, replyTo), timeout, system.scheduler());
    return state.thenCompose(s -> {
      Map<String, String> shardOf = new TreeMap<>();
      s.getShards().forEach(shard -> shard.getEntityIds().forEach(id -> shardOf.put(id, shard.shardId())));
      Map<String, String> listed = new LinkedHashMap<>();
      for (Map.Entry<String, String> e : shardOf.entrySet()) {
        if (listed.size() >= maxRooms) break;
        listed.put(e.getKey(), e.getValue());
      }
      return infos(system, listed, timeout).thenApply(rooms -> new LocalRooms(rooms, shardOf.size()));
    });
  }

  /**
   * Asks each listed room (room id -> shard id) for its info, addressed to the entity actor itself rather
   * than through sharding: a message through sharding to a room that has just stopped (or is passivating)
   * would start it again. A room that is gone by now is simply not listed.
   */
  static CompletionStage<List<RoomEntity.Info>> infos(ActorSystem<?> system, Map<String, String> rooms, Duration timeout) {
    List<CompletableFuture<RoomEntity.Info>> infos = new ArrayList<>();
    rooms.forEach((id, shard) -> infos.add(entity(system, shard, id, timeout)
        .thenCompose(ref -> AskPattern.<RoomEntity.Command, RoomEntity.Info>ask(
            ref, RoomEntity.GetInfo::new, timeout, system.scheduler()))
        .exceptionally(err -> null)
        .toCompletableFuture()));
    return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<RoomEntity.Info> out = new ArrayList<>();
      for (CompletableFuture<RoomEntity.Info> f : infos) {
        RoomEntity.Info i = f.join();
        if (i != null && i.game() != null) out.add(i);
      }
      out.sort(java.util.Comparator.comparing(RoomEntity.Info::roomId));
      return out;
    });
  }

  /** The running entity actor of one room, found by its path under the shard; fails when it is not running. */
  private static CompletionStage<ActorRef<RoomEntity.Command>> entity(ActorSystem<?> system, String shard, String id,
      Duration timeout) {
    String path = "/system/sharding/" + encode(RoomEntity.TYPE_KEY.name()) + "/" + encode(shard) + "/" + encode(id);
    ActorSelection selection = Adapter.toClassic(system).actorSelection(path);
    return selection.resolveOne(timeout).thenApply(Adapter::<RoomEntity.Command>toTyped);
  }

  private static String encode(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8); // as sharding names its children
  }
}
