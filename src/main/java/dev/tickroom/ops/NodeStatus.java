package dev.tickroom.ops;

import dev.tickroom.cluster.CborSerializable;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.metrics.RoomBytes;
import dev.tickroom.player.SessionRegistry;
import dev.tickroom.room.RoomEntity;
import java.time.Duration;
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
  public record Report(String address, String game, int tcp, int ws, List<RoomEntity.Info> rooms,
      double messagesIn, double messagesOut, double tickP99Ms, List<RoomBytes.Entry> bytesOutByRoom)
      implements CborSerializable {}

  record Reply(Report report, ActorRef<Report> replyTo) implements Command {}

  private NodeStatus() {}

  /** @param gameEndpoint this node's game endpoint, known once the port is bound */
  public static Behavior<Command> create(SessionRegistry sessions, Metrics metrics, CompletionStage<String> gameEndpoint, Duration timeout) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      ActorSystem<?> system = ctx.getSystem();
      String address = Cluster.get(system).selfMember().address().toString();
      return Behaviors.receive(Command.class)
          .onMessage(GetReport.class, msg -> {
            ctx.pipeToSelf(localRooms(system, timeout), (rooms, err) -> {
              Metrics.Snapshot m = metrics.snapshot();
              return new Reply(new Report(address, gameEndpoint.toCompletableFuture().getNow(""),
                  sessions.count("tcp"), sessions.count("ws"), rooms == null ? List.of() : rooms,
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

  /** The rooms this node's shard region hosts, each asked for its game, tick and players. */
  static CompletionStage<List<RoomEntity.Info>> localRooms(ActorSystem<?> system, Duration timeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    CompletionStage<ShardRegion.CurrentShardRegionState> state = AskPattern.ask(
        sharding.shardState(), replyTo -> new GetShardRegionState(RoomEntity.TYPE_KEY, replyTo), timeout, system.scheduler());
    return state.thenCompose(s -> {
      List<CompletableFuture<RoomEntity.Info>> infos = new ArrayList<>();
      s.getShards().forEach(shard -> shard.getEntityIds().forEach(id -> infos.add(
          sharding.entityRefFor(RoomEntity.TYPE_KEY, id)
              .<RoomEntity.Info>ask(RoomEntity.GetInfo::new, timeout)
              .exceptionally(err -> null)
              .toCompletableFuture())));
      return CompletableFuture.allOf(infos.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<RoomEntity.Info> out = new ArrayList<>();
        for (CompletableFuture<RoomEntity.Info> f : infos) {
          RoomEntity.Info i = f.join();
          if (i != null && i.game() != null) out.add(i);
        }
        out.sort(java.util.Comparator.comparing(RoomEntity.Info::roomId));
        return out;
      });
    });
  }
}
