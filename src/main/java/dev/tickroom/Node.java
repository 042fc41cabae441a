package dev.tickroom;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.cluster.Formation;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/** A running node: its actor system and the addresses it listens on. Used by Main and by tests. */
public final class Node {
  private final ActorSystem<Guardian.Command> system;
  private final InetSocketAddress gameAddress;

  private Node(ActorSystem<Guardian.Command> system, InetSocketAddress gameAddress) {
    this.system = system;
    this.gameAddress = gameAddress;
  }

  /** The config a node runs with: environment overrides, then system properties, then application.conf. */
  public static Config loadConfig() {
    ConfigFactory.invalidateCaches();
    return Formation.environmentOverrides(System.getenv()).withFallback(ConfigFactory.load());
  }

  /** Starts a node and waits until its game port is bound. */
  public static Node start(Config config, Duration timeout) throws Exception {
    CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    ActorSystem<Guardian.Command> system = ActorSystem.create(Guardian.create(bound), Formation.SYSTEM_NAME, config);
    try {
      return new Node(system, bound.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  public ActorSystem<Guardian.Command> system() {
    return system;
  }

  public InetSocketAddress gameAddress() {
    return gameAddress;
  }

  public void stop() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("node did not stop in time", e);
    }
  }
}
