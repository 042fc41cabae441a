package dev.tickroom;

import dev.tickroom.cluster.Formation;
import dev.tickroom.config.Settings;
import dev.tickroom.game.GameRegistry;
import dev.tickroom.net.TcpGateway;
import dev.tickroom.player.PlayerDirectory;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.player.ResumeTokens;
import dev.tickroom.room.RoomEntity;
import dev.tickroom.room.SnapshotStore;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: cluster formation, room sharding, the game gateway. */
public final class Guardian {
  public interface Command {}

  private Guardian() {}

  public static Behavior<Command> create(CompletableFuture<InetSocketAddress> gameBound) {
    return Behaviors.setup(ctx -> {
      try {
        return start(ctx, gameBound);
      } catch (RuntimeException e) {
        ctx.getLog().error("node failed to start: {}", e.toString());
        gameBound.completeExceptionally(e);
        throw e;
      }
    });
  }

  private static Behavior<Command> start(
      ActorContext<Command> ctx, CompletableFuture<InetSocketAddress> gameBound) {
    ActorSystem<Void> system = ctx.getSystem();
    Logger log = LoggerFactory.getLogger(Guardian.class); // also used from the binding's callback thread
    Settings settings = Settings.from(system.settings().config());
    GameRegistry games = GameRegistry.fromClassNames(settings.games(), settings.rooms().defaultGame());

    Formation.start(system);

    ClusterSharding sharding = ClusterSharding.get(system);
    RoomEntity.Deps roomDeps = new RoomEntity.Deps(settings.rooms(), games, SnapshotStore.NONE);
    sharding.init(Entity.of(RoomEntity.TYPE_KEY, ec -> RoomEntity.create(ec.getEntityId(), roomDeps, ec.getShard()))
        .withStopMessage(RoomEntity.Stop.INSTANCE));

    String advertised = settings.gameAdvertised().isEmpty() ? null : settings.gameAdvertised();
    long grace = settings.rooms().resumeGrace().toMillis();
    PlayerDirectory directory = new PlayerDirectory.Local(grace);
    ResumeTokens tokens = new ResumeTokens(settings.clusterSecret(), 24L * 3600 * 1000);
    AtomicLong sessionIds = new AtomicLong();
    CompletableFuture<String> nodeName = new CompletableFuture<>();

    TcpGateway.bind(system, settings, connection -> {
          PlayerSession.Deps deps = new PlayerSession.Deps(settings, nodeName.getNow("?"), tokens, directory,
              room -> sharding.entityRefFor(RoomEntity.TYPE_KEY, room), System::nanoTime, System::currentTimeMillis);
          return system.systemActorOf(PlayerSession.create(deps, connection),
              "session-" + sessionIds.incrementAndGet(), Props.empty());
        })
        .whenComplete((binding, err) -> {
          if (err != null) {
            log.error("cannot bind the game port {}:{}: {}", settings.gameHost(), settings.gamePort(), err.toString());
            gameBound.completeExceptionally(err);
            system.terminate();
          } else {
            InetSocketAddress addr = binding.localAddress();
            String name = !settings.nodeName().isEmpty() ? settings.nodeName()
                : advertised != null ? advertised : settings.gameHost() + ":" + addr.getPort();
            nodeName.complete(name);
            log.info("game port listening on {}:{} (node {})", addr.getAddress().getHostAddress(), addr.getPort(), name);
            gameBound.complete(addr);
          }
        });
    return Behaviors.empty();
  }
}
