package dev.tickroom.ops;

import dev.tickroom.metrics.Metrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What the operator endpoints read, one per actor system: the node's metrics and the cluster status. The
 * Guardian fills it in; the management port's routes ({@link AdminRoutes}, built by Pekko Management before
 * that) look it up per request and answer 503 until then.
 */
public final class Ops implements Extension {
  private volatile Metrics metrics;
  private volatile ClusterStatus status;

  private Ops() {}

  public static final ExtensionId<Ops> ID = new ExtensionId<>() {
    @Override
    public Ops createExtension(ActorSystem<?> system) {
      return new Ops();
    }
  };

  public static Ops get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public void init(Metrics metrics, ClusterStatus status) {
    this.status = status;
    this.metrics = metrics;
  }

  /** Null until the node has started. */
  public Metrics metrics() {
    return metrics;
  }

  /** Null until the node has started. */
  public ClusterStatus status() {
    return status;
  }
}
