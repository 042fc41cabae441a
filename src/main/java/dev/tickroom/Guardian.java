package dev.tickroom;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import dev.tickroom.cluster.Formation;
import dev.tickroom.cluster.GameEndpoints;
import dev.tickroom.cluster.MembershipWatch;
import dev.tickroom.cluster.Replicated;
import dev.tickroom.config.ClusterSettings;
import dev.tickroom.config.EdgeSettings;
import dev.tickroom.config.Settings;
import dev.tickroom.game.GameRegistry;
import dev.tickroom.matchmaking.Matchmaker;
import dev.tickroom.matchmaking.Matchmaking;
import dev.tickroom.matchmaking.RoomDirectory;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.net.ConnectionGate;
import dev.tickroom.net.ConnectionLimiter;
import dev.tickroom.net.SessionFlow;
import dev.tickroom.net.TlsContext;
import dev.tickroom.net.TcpGateway;
import dev.tickroom.net.WebSocketGateway;
import dev.tickroom.ops.ClusterStatus;
import dev.tickroom.ops.NodeStatus;
import dev.tickroom.ops.Ops;
import dev.tickroom.ops.WebRoutes;
import dev.tickroom.player.PlayerSession;
import dev.tickroom.player.ReplicatedPlayerDirectory;
import dev.tickroom.player.Handshake;
import dev.tickroom.player.SessionRegistry;
import dev.tickroom.room.ReplicatedSnapshotStore;
import dev.tickroom.room.RoomEntity;
import dev.tickroom.room.SnapshotSweeper;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import javax.net.ssl.SSLContext;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wiring only: cluster formation, room sharding, replicated stores, the game gateway, graceful leave. */
public final class Guardian {
  public interface Command {}

  /** What a started node tells its starter. */
  public record Started(InetSocketAddress game, String gameEndpoint, String management, InetSocketAddress http) {}

  private static final Logger log = LoggerFactory.getLogger(Guardian.class);

  private record Bindings(Tcp.ServerBinding tcp, ServerBinding http) {}

  private Guardian() {}

  public static Behavior<Command> create(CompletableFuture<Started> started) {
    return Behaviors.setup(ctx -> {
      try {
        return start(ctx, started);
      } catch (RuntimeException e) {
        log.error("node failed to start: {}", e.toString());
        started.completeExceptionally(e);
        throw e;
      }
    });
  }

  private static Behavior<Command> start(ActorContext<Command> ctx, CompletableFuture<Started> started) {
    ActorSystem<Void> system = ctx.getSystem();
    Settings settings = Settings.from(system.settings().config());
    EdgeSettings edges = EdgeSettings.from(system.settings().config());
    GameRegistry games = GameRegistry.fromClassNames(settings.games(), settings.rooms().defaultGame());

    CompletionStage<String> management = Formation.start(system);

    Replicated replicated = new Replicated(system, settings.askTimeout());
    Metrics metrics = Metrics.prometheus();
    ClusterSharding sharding = ClusterSharding.get(system);
    RoomDirectory roomDirectory = new RoomDirectory(system, settings.askTimeout());
    ReplicatedSnapshotStore snapshots = new ReplicatedSnapshotStore(system, settings.askTimeout());
    RoomEntity.Deps roomDeps = new RoomEntity.Deps(settings.rooms(), games, snapshots, metrics, roomDirectory);
    Matchmaker.Deps matchDeps = new Matchmaker.Deps(game -> games.find(game).map(g -> g.spec().maxPlayers()).orElse(1),
        roomDirectory::nodeUp, settings.matchmaking().pruneInterval(), settings.matchmaking().reservationRounds());
    sharding.init(Entity.of(Matchmaker.TYPE_KEY, ec -> Matchmaker.create(ec.getEntityId(), matchDeps, ec.getShard()))
        .withStopMessage(Matchmaker.Stop.INSTANCE));
    sharding.init(RoomEntity.entity(roomDeps));
    ctx.spawn(SnapshotSweeper.create(snapshots, settings.rooms(), System::currentTimeMillis), "snapshot-sweeper");

    SessionRegistry sessions = new SessionRegistry();
    metrics.connectionsGauge("tcp", () -> sessions.count("tcp"));
    metrics.connectionsGauge("ws", () -> sessions.count("ws"));
    GameEndpoints endpoints = new GameEndpoints(system, new Replicated(system, Duration.ofSeconds(1)));
    ClusterSettings clusterSettings = ClusterSettings.from(system.settings().config());
    ctx.spawn(MembershipWatch.create(endpoints, clusterSettings.sbrStrategy()), "membership-watch");
    CompletableFuture<String> endpoint = new CompletableFuture<>();
    ctx.spawn(NodeStatus.create(sessions, metrics, endpoint, settings.askTimeout(), edges.ops().statusMaxRooms()),
        "node-status");
    Ops.get(system).init(metrics, new ClusterStatus(system, settings.askTimeout(), edges.ops().statusCache(),
        edges.ops().statusMaxRooms()));
    ConnectionGate gate = new ConnectionGate(
        new ConnectionLimiter(edges.net().maxConnections(), edges.net().maxConnectionsPerAddress()), metrics);
    SSLContext tls = TlsContext.server(edges.tls());

    CompletableFuture<String> nodeName = new CompletableFuture<>();
    ReplicatedPlayerDirectory directory = new ReplicatedPlayerDirectory(replicated, 2 * settings.rooms().resumeGrace().toMillis(),
        () -> ReplicatedPlayerDirectory.hasLegacyMembers(Cluster.get(system)));
    PlayerSession.Deps sessionDeps = new PlayerSession.Deps(
        settings,
        () -> nodeName.getNow(""),
        Handshake.forNode(ctx, settings, system.settings().config(), directory, () -> nodeName.getNow("")),
        directory,
        sessions,
        metrics,
        room -> sharding.entityRefFor(RoomEntity.TYPE_KEY, room),
        System::nanoTime,
        System::currentTimeMillis,
        Matchmaking.cluster(sharding, roomDirectory, settings.askTimeout()));
    AtomicLong ids = new AtomicLong();
    // set once the node is leaving: a session whose connection was accepted just before the port unbound
    // but registered after the clients were told still gets `reconnect`
    AtomicReference<List<String>> leavingTargets = new AtomicReference<>();
    Function<String, SessionFlow.Spawner> spawner = transport -> (connection, inputs) -> {
      ActorRef<PlayerSession.Command> session = system.systemActorOf(
          PlayerSession.create(sessionDeps, connection, inputs), transport + "-session-" + ids.incrementAndGet(), Props.empty());
      sessions.register(session, transport);
      List<String> leaving = leavingTargets.get();
      if (leaving != null) session.tell(new PlayerSession.NodeLeaving(leaving));
      return session;
    };

    ServerBuilder httpServer = Http.get(system).newServerAt(settings.httpHost(), settings.httpPort());
    if (tls != null) httpServer = httpServer.enableHttps(ConnectionContext.httpsServer(tls));
    CompletionStage<ServerBinding> http = httpServer.bind(concat(
        WebSocketGateway.route(Materializer.matFromSystem(system), settings, edges.net(), metrics, gate, spawner.apply("ws")),
        WebRoutes.routes(Ops.get(system), edges.ops().publicToken())));

    CompletionStage<Tcp.ServerBinding> tcp = TcpGateway.bind(system, settings, edges.net(), metrics, gate, tls, spawner.apply("tcp"));
    tcp.thenCombine(http, Bindings::new).whenComplete((bindings, err) -> {
      if (err != null) {
        log.error("cannot bind the game port {}:{} or the HTTP port {}:{}: {}", settings.gameHost(), settings.gamePort(),
            settings.httpHost(), settings.httpPort(), err.toString());
        started.completeExceptionally(err);
        system.terminate();
        return;
      }
      Tcp.ServerBinding binding = bindings.tcp();
      ServerBinding web = bindings.http();
      InetSocketAddress addr = binding.localAddress();
      String advertised = advertisedEndpoint(settings, system, addr.getPort());
      nodeName.complete(settings.nodeName().isEmpty() ? advertised : settings.nodeName());
      endpoint.complete(advertised);
      endpoints.publish(advertised);
      leaveGracefully(system, binding, web, sessions, endpoints, clusterSettings, leavingTargets);
      log.info("game port listening on {}:{}; clients reach this node at {}", settings.gameHost(), addr.getPort(), advertised);
      management.whenComplete((uri, merr) -> {
        if (merr != null) {
          log.error("cannot start Pekko Management: {}", merr.toString());
          started.completeExceptionally(merr);
          system.terminate();
        } else {
          log.info("management (health, readiness, /admin/status, dashboard, /metrics) on {}", uri);
          String webUrl = (tls != null ? "https://" : "http://") + hostOf(advertised) + ":" + web.localAddress().getPort() + "/";
          String ops = uri.endsWith("/") ? uri : uri + "/";
          log.info("web demo: {}   dashboard: {}dashboard.html   metrics: {}metrics{}", webUrl, ops, ops,
              tls != null ? "   (game port and HTTP port with TLS)" : "");
          started.complete(new Started(addr, advertised, uri, web.localAddress()));
        }
      });
    });
    return Behaviors.empty();
  }


  /** host:port clients use for this node: the configured one, else the game host unless it is a wildcard. */
  static String advertisedEndpoint(Settings settings, ActorSystem<?> system, int port) {
    if (!settings.gameAdvertised().isEmpty()) return settings.gameAdvertised();
    String host = settings.gameHost();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
      host = system.settings().config().getString("pekko.remote.artery.canonical.hostname");
    }
    return host + ":" + port;
  }

  private static String hostOf(String endpoint) {
    return endpoint.substring(0, endpoint.lastIndexOf(':'));
  }

  /**
   * On SIGTERM, or when this node downs itself (CoordinatedShutdown), in this order: unbind the game and
   * HTTP ports, so no client can connect to a node that is going; then tell every client `reconnect` with
   * the nodes this node last saw alive; then sharding hands the rooms off (cluster-sharding-shutdown-region)
   * while the clients go, and the node leaves the cluster; the actor system ends once the clients are gone
   * (bounded by reconnect-drain).
   */
  private static void leaveGracefully(ActorSystem<?> system, Tcp.ServerBinding binding, ServerBinding web,
      SessionRegistry sessions, GameEndpoints endpoints, ClusterSettings clusterSettings,
      AtomicReference<List<String>> leavingTargets) {
    CoordinatedShutdown cs = CoordinatedShutdown.get(system);
    cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-game-port", () -> binding.unbind().thenApply(x -> Done.getInstance()));
    cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-http-port", () -> web.unbind().thenApply(x -> Done.getInstance()));
    cs.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "tell-clients-to-reconnect", () ->
        endpoints.reconnectTargets().thenApply(targets -> {
          log.info("leaving the cluster ({}): sending reconnect {} to {} clients",
              cs.getShutdownReason().map(Object::toString).orElse("?"), targets, sessions.count());
          leavingTargets.set(targets);
          sessions.tellAll(new PlayerSession.NodeLeaving(targets));
          return Done.getInstance();
        }));
    // the rooms' hand-off need not wait for the clients to go (their sessions close while it runs); the
    // actor system must, so that every `reconnect` is flushed before the connections drop
    cs.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "wait-for-clients-to-go", () ->
        sessions.whenEmpty().thenApply(v -> Done.getInstance()).toCompletableFuture()
            .completeOnTimeout(Done.getInstance(), clusterSettings.reconnectDrain().toMillis(), TimeUnit.MILLISECONDS));
  }
}
