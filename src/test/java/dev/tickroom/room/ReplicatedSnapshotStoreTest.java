package dev.tickroom.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.protocol.Codec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replicated snapshot store: the merge rule on its own (incarnation, then tick; never wall clock), and
 * a two-node cluster for majority writes, reads that cannot reach a majority, removal and the sweep.
 */
@Timeout(90)
class ReplicatedSnapshotStoreTest {
  static final Duration TIMEOUT = Duration.ofSeconds(3);
  static final Duration TTL = Duration.ofMinutes(10);
  static final Duration CLOSED_TTL = Duration.ofMinutes(2);

  static SelfUniqueAddress node(int port) {
    return new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "t", "127.0.0.1", port), port));
  }

  static RoomSnapshot snap(String room, long incarnation, long tick, long savedAt) throws Exception {
    return new RoomSnapshot(room, "counter", 1, tick, PackedTree.of(Codec.MAPPER.readTree("{\"tick\":" + tick + "}")),
        List.of(), incarnation, 1, savedAt, false, null, null);
  }

  // ------------------------------------------------------------------ the merge rule

  @Test
  void aNewerIncarnationWinsOverAHigherTickAndALaterWallClockInEveryMergeOrder() throws Exception {
    long now = System.currentTimeMillis();
    LWWMap<String, RoomSnapshot> restored = ReplicatedSnapshotStore.put(LWWMap.create(), node(1), snap("r", 2, 5, now));
    // a zombie of incarnation 1 writes later (in wall time, even a day later) at a much higher tick
    LWWMap<String, RoomSnapshot> zombie = ReplicatedSnapshotStore.put(LWWMap.create(), node(2), snap("r", 1, 900, now + 86_400_000));
    assertEquals(2, restored.merge(zombie).getEntries().get("r").incarnation());
    assertEquals(2, zombie.merge(restored).getEntries().get("r").incarnation());
    // and a zombie writing into a replica that already holds the newer incarnation changes nothing
    LWWMap<String, RoomSnapshot> merged = zombie.merge(restored);
    assertEquals(2, ReplicatedSnapshotStore.put(merged, node(2), snap("r", 1, 901, now)).getEntries().get("r").incarnation());
    // within an incarnation the later tick wins
    LWWMap<String, RoomSnapshot> later = ReplicatedSnapshotStore.put(restored, node(1), snap("r", 2, 6, now - 5000));
    assertEquals(6, later.getEntries().get("r").tick());
  }

  @Test
  void aTombstoneEndsItsIncarnation() throws Exception {
    long now = System.currentTimeMillis();
    LWWMap<String, RoomSnapshot> m = ReplicatedSnapshotStore.put(LWWMap.create(), node(1),
        RoomSnapshot.tombstone("r", "counter", 3, 40, List.of(), now));
    LWWMap<String, RoomSnapshot> late = ReplicatedSnapshotStore.put(LWWMap.create(), node(2), snap("r", 3, 41, now));
    assertTrue(m.merge(late).getEntries().get("r").closed());
    assertTrue(late.merge(m).getEntries().get("r").closed());
  }

  @Test
  void expiryUsesTheTtlOfSnapshotsAndTheShorterOneOfTombstones() throws Exception {
    long now = System.currentTimeMillis();
    LWWMap<String, RoomSnapshot> m = LWWMap.create();
    m = ReplicatedSnapshotStore.put(m, node(1), snap("fresh", 1, 1, now - 1000));
    m = ReplicatedSnapshotStore.put(m, node(1), snap("old", 1, 1, now - TTL.toMillis() - 1));
    m = ReplicatedSnapshotStore.put(m, node(1), RoomSnapshot.tombstone("closed", "counter", 1, 1, List.of(), now - CLOSED_TTL.toMillis() - 1));
    m = ReplicatedSnapshotStore.put(m, node(1), RoomSnapshot.tombstone("closing", "counter", 1, 1, List.of(), now - 1000));
    assertEquals(List.of("closed", "old"), ReplicatedSnapshotStore.expired(m, now, TTL, CLOSED_TTL).stream().sorted().toList());
  }

  // ------------------------------------------------------------------ two nodes

  private ActorTestKit a;
  private ActorTestKit b;

  @AfterEach
  void stop() {
    if (b != null) b.shutdownTestKit();
    if (a != null) a.shutdownTestKit();
  }

  static ActorTestKit node() {
    return ActorTestKit.create("snapshots", ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
            + "pekko.remote.artery.canonical.port = 0\n"
            + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
            + "pekko.cluster.downing-provider-class = \"\"\n"
            // a node that stops is gone without leaving, as after kill -9
            + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n"
            + "pekko.cluster.distributed-data.gossip-interval = 60s\n") // only writes carry data across
        .withFallback(ConfigFactory.load("application-test")));
  }

  ReplicatedSnapshotStore onA;
  ReplicatedSnapshotStore onB;

  /** Two nodes, each with its store (as Guardian makes it at startup), whose replicators see each other. */
  void twoNodes() {
    a = node();
    b = node();
    onA = new ReplicatedSnapshotStore(a.system(), TIMEOUT);
    onB = new ReplicatedSnapshotStore(b.system(), TIMEOUT);
    Address first = Cluster.get(a.system()).selfMember().address();
    Cluster.get(a.system()).manager().tell(Join.create(first));
    Cluster.get(b.system()).manager().tell(Join.create(first));
    for (ActorTestKit k : List.of(a, b)) {
      TestProbe<Replicator.ReplicaCount> count = k.createTestProbe();
      count.awaitAssert(Duration.ofSeconds(20), () -> {
        DistributedData.get(k.system()).replicator().tell(new Replicator.GetReplicaCount(count.getRef()));
        assertEquals(2, count.expectMessageClass(Replicator.ReplicaCount.class).n());
        return null;
      });
    }
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @SuppressWarnings("unchecked")
  static Optional<RoomSnapshot> localReplica(ActorTestKit kit, String room) throws Exception {
    var key = ReplicatedSnapshotStore.key(room);
    Replicator.GetResponse<LWWMap<String, RoomSnapshot>> r = await(AskPattern.ask(
        DistributedData.get(kit.system()).replicator(),
        (org.apache.pekko.actor.typed.ActorRef<Replicator.GetResponse<LWWMap<String, RoomSnapshot>>> replyTo) ->
            new Replicator.Get<>(key, Replicator.readLocal(), replyTo),
        Duration.ofSeconds(3), kit.system().scheduler()));
    if (r instanceof Replicator.GetSuccess<LWWMap<String, RoomSnapshot>> s) return Optional.ofNullable(s.get(key).getEntries().get(room));
    return Optional.empty();
  }

  @Test
  void aSaveCompletesOnlyWhenAMajorityHoldsIt() throws Exception {
    twoNodes();
    await(onA.save(snap("handed-off", 4, 77, System.currentTimeMillis())));
    // a majority of two is both: B's own replica has it the moment the write completed (gossip is off)
    assertEquals(77, localReplica(b, "handed-off").orElseThrow().tick());
    assertEquals(4, await(onB.load("handed-off")).orElseThrow().incarnation());
    // a zombie on B with an older incarnation does not win, wherever it writes
    await(onB.save(snap("handed-off", 3, 500, System.currentTimeMillis() + 60_000)));
    assertEquals(4, await(onA.load("handed-off")).orElseThrow().incarnation());
    assertEquals(4, localReplica(b, "handed-off").orElseThrow().incarnation());
  }

  @Test
  void removalAndSweepForgetRoomsThatNoLongerRun() throws Exception {
    twoNodes();
    long now = System.currentTimeMillis();
    await(onA.save(snap("ended", 1, 10, now)));
    await(onA.save(snap("abandoned", 1, 10, now - TTL.toMillis() - 1)));
    await(onA.save(snap("running", 1, 10, now)));
    await(onA.remove("ended"));
    assertEquals(Optional.empty(), await(onB.load("ended")));
    assertEquals(1, await(onB.sweep(now, TTL, CLOSED_TTL)));
    assertEquals(Optional.empty(), await(onA.load("abandoned")));
    assertEquals(10, await(onA.load("running")).orElseThrow().tick());
  }

  @Test
  void aReadThatNoMajorityAnswersFailsInsteadOfSayingNoSnapshot() throws Exception {
    twoNodes();
    b.shutdownTestKit(); // B is gone without leaving (as after kill -9): A cannot reach a majority of two
    b = null;
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(onA.load("anything")));
    assertTrue(e.getCause() instanceof ReplicatedSnapshotStore.Unavailable, e.toString());
  }
}
