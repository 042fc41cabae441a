package dev.tickroom;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.cluster.AppVersion;
import dev.tickroom.cluster.Formation;
import dev.tickroom.player.ReplicatedPlayerDirectory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/** A running node: its actor system and the addresses it listens on. Used by Main and by tests. */
public final class Node {
  private final ActorSystem<Guardian.Command> system;
  private final Guardian.Started started;

  private Node(ActorSystem<Guardian.Command> system, Guardian.Started started) {
    this.system = system;
    this.started = started;
  }

  /**
   * The config a node runs with: environment overrides, then system properties, then application.conf,
   * then the build's version as {@code pekko.cluster.app-version} (below application.conf, so
   * {@code APP_VERSION} wins), then Pekko's reference.conf.
   */
  public static Config loadConfig() {
    ConfigFactory.invalidateCaches();
    Config app = ConfigFactory.defaultApplication().withFallback(AppVersion.asConfig());
    return Formation.environmentOverrides(System.getenv()).withFallback(ConfigFactory.load(app));
  }

  /** Starts a node and waits until its game port is bound. */
  public static Node start(Config config, Duration timeout) throws Exception {
    CompletableFuture<Guardian.Started> started = new CompletableFuture<>();
    ActorSystem<Guardian.Command> system = ActorSystem.create(Guardian.create(started), Formation.SYSTEM_NAME,
        ReplicatedPlayerDirectory.withLayoutRole(config));
    try {
      return new Node(system, started.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  public ActorSystem<Guardian.Command> system() {
    return system;
  }

  public InetSocketAddress gameAddress() {
    return started.game();
  }

  /** host:port that clients use for this node. */
  public String gameEndpoint() {
    return started.gameEndpoint();
  }

  /** The Pekko Management HTTP base address, e.g. http://127.0.0.1:8558/ */
  public String managementUri() {
    return started.management();
  }

  /** The public HTTP port: WebSocket /ws and the web demo (operator endpoints are on the management port). */
  public InetSocketAddress httpAddress() {
    return started.http();
  }

  /** Stops the node the way SIGTERM does: a graceful leave through CoordinatedShutdown. */
  public void stop() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop in time", e);
    }
  }
}
