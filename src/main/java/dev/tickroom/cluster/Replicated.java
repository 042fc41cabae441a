package dev.tickroom.cluster;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.ReplicatedData;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * Pekko Distributed Data for code outside actors: reads and writes as CompletionStages. Writes go to a
 * majority of nodes (so data survives the loss of any one node), reads ask a majority; when the majority
 * cannot answer in time the local replica is used, so a lone or partitioned node still works.
 */
public final class Replicated {
  private final ActorSystem<?> system;
  private final Duration timeout;

  public Replicated(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  public SelfUniqueAddress self() {
    return DistributedData.get(system).selfUniqueAddress();
  }

  /** Applies {@code modify} to the value under {@code key} (starting from {@code initial}). */
  public <A extends ReplicatedData> CompletionStage<Replicator.UpdateResponse<A>> update(
      Key<A> key, A initial, Function<A, A> modify) {
    return AskPattern.<Replicator.Command, Replicator.UpdateResponse<A>>ask(
        DistributedData.get(system).replicator(),
        replyTo -> new Replicator.Update<>(key, initial, new Replicator.WriteMajority(timeout), replyTo, modify),
        timeout.plusSeconds(1),
        system.scheduler());
  }

  /** The value under {@code key}, read from a majority of nodes, or from this node's replica if they are slow. */
  public <A extends ReplicatedData> CompletionStage<Optional<A>> get(Key<A> key) {
    return get(key, new Replicator.ReadMajority(timeout)).thenCompose(r -> {
      if (r instanceof Replicator.GetSuccess<A> s) return java.util.concurrent.CompletableFuture.completedFuture(Optional.of(s.get(key)));
      if (r instanceof Replicator.NotFound) return java.util.concurrent.CompletableFuture.completedFuture(Optional.<A>empty());
      return getLocal(key);
    });
  }

  /** The value under {@code key} as this node's replica has it. */
  public <A extends ReplicatedData> CompletionStage<Optional<A>> getLocal(Key<A> key) {
    return get(key, Replicator.readLocal()).thenApply(r ->
        r instanceof Replicator.GetSuccess<A> s ? Optional.of(s.get(key)) : Optional.<A>empty());
  }

  private <A extends ReplicatedData> CompletionStage<Replicator.GetResponse<A>> get(Key<A> key, Replicator.ReadConsistency c) {
    return AskPattern.<Replicator.Command, Replicator.GetResponse<A>>ask(
        DistributedData.get(system).replicator(),
        replyTo -> new Replicator.Get<>(key, c, replyTo),
        timeout.plusSeconds(1),
        system.scheduler());
  }
}
