package dev.tickroom.net;

import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.ErrorCode;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every connection passes before it costs anything: its place under the node's and its address's
 * connection caps is taken when its flow is materialized (for TCP when the socket is accepted, for /ws when
 * the upgrade is answered), and only then is its session built. A connection over a cap gets the transport's
 * {@code server_busy} flow instead (one error, then close). The place is given back when the flow ends.
 */
public final class ConnectionGate {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
  private final ConnectionLimiter limiter;
  private final Metrics metrics;

  public ConnectionGate(ConnectionLimiter limiter, Metrics metrics) {
    this.limiter = limiter;
    this.metrics = metrics;
  }

  /**
   * @param address the client's address as the caps count it (see {@link ClientAddress})
   * @param busy the flow for a refused connection, given the reason
   * @param open builds the connection's real flow (its session); called only once the place is taken
   */
  public <I, O> Flow<I, O, NotUsed> admit(String address, String description,
      Function<String, Flow<I, O, NotUsed>> busy, Supplier<Flow<I, O, NotUsed>> open) {
    return Flow.<I, O, NotUsed>fromMaterializer((mat, attrs) -> {
      var refused = limiter.tryAcquire(address);
      if (refused.isPresent()) {
        metrics.error(ErrorCode.SERVER_BUSY);
        log.debug("connection refused: {}: {}", description, refused.get());
        return busy.apply(refused.get());
      }
      Flow<I, O, NotUsed> flow;
      try {
        flow = open.get();
      } catch (RuntimeException e) {
        limiter.release(address);
        throw e;
      }
      return flow.watchTermination((nu, done) -> {
        done.whenComplete((d, err) -> limiter.release(address));
        return nu;
      });
    }).mapMaterializedValue(x -> NotUsed.getInstance());
  }

  public ConnectionLimiter limiter() {
    return limiter;
  }
}
