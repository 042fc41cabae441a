package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.cluster.Replicated;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The directory's replicated map: a later session of a player wins on every replica, in any order of writes;
 * and, on a one-node cluster, the map layout of earlier releases consulted while a member still uses it.
 */
@Timeout(60)
class ReplicatedPlayerDirectoryTest {
  // the old session's node B has the lower address, so it would also win a tie of wall-clock timestamps
  static final SelfUniqueAddress NODE_A = node("z");
  static final SelfUniqueAddress NODE_B = node("a");

  static SelfUniqueAddress node(String host) {
    return new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "tickroom", host, 25520), 1L));
  }

  static PlayerDirectory.Entry entry(LWWMap<String, PlayerDirectory.Entry> map) {
    return map.getEntries().get("p1");
  }

  @Test
  void theOldSessionClosingOnAnotherNodeAfterTheResumeLosesWhenReplicasMerge() {
    PlayerDirectory.Entry first = new PlayerDirectory.Entry("p1", "r1", 0, 1);
    // both nodes know the first session's entry
    LWWMap<String, PlayerDirectory.Entry> both = ReplicatedPlayerDirectory.write(LWWMap.create(), NODE_A, first, 0);
    // the player resumes on node A (session 2) ...
    PlayerDirectory.Entry resumed = new PlayerDirectory.Entry("p1", "r1", 0, 2);
    LWWMap<String, PlayerDirectory.Entry> onA = ReplicatedPlayerDirectory.write(both, NODE_A, resumed, 0);
    // ... and its old session on node B, which has not seen that yet, writes its last entry a moment later
    PlayerDirectory.Entry closed = new PlayerDirectory.Entry("p1", "r1", 5_000, 1);
    LWWMap<String, PlayerDirectory.Entry> onB = ReplicatedPlayerDirectory.write(both, NODE_B, closed, 0);
    assertEquals(closed, entry(onB));

    assertEquals(resumed, entry(onA.merge(onB)));
    assertEquals(resumed, entry(onB.merge(onA)));
  }

  @Test
  void aReplicaThatHasTheLaterSessionKeepsIt() {
    LWWMap<String, PlayerDirectory.Entry> map = ReplicatedPlayerDirectory.write(
        LWWMap.create(), NODE_A, new PlayerDirectory.Entry("p1", "r1", 0, 2), 0);
    map = ReplicatedPlayerDirectory.write(map, NODE_A, new PlayerDirectory.Entry("p1", "r1", 5_000, 1), 0);
    assertEquals(new PlayerDirectory.Entry("p1", "r1", 0, 2), entry(map));
  }

  @Test
  void laterWritesOfOneSessionReplaceItsEarlierOnesAcrossNodes() {
    LWWMap<String, PlayerDirectory.Entry> onA = ReplicatedPlayerDirectory.write(
        LWWMap.create(), NODE_A, new PlayerDirectory.Entry("p1", "r1", 0, 3), 0);
    // the same session moves to no room, then disconnects; node B merges each state
    LWWMap<String, PlayerDirectory.Entry> later = ReplicatedPlayerDirectory.write(
        onA, NODE_A, new PlayerDirectory.Entry("p1", null, 0, 3), 0);
    later = ReplicatedPlayerDirectory.write(later, NODE_A, new PlayerDirectory.Entry("p1", null, 9_000, 3), 0);
    assertEquals(new PlayerDirectory.Entry("p1", null, 9_000, 3), entry(onA.merge(later)));
    assertEquals(new PlayerDirectory.Entry("p1", null, 9_000, 3), entry(later.merge(onA)));
  }

  @Test
  void entriesDisconnectedBeforeTheCutoffArePruned() {
    LWWMap<String, PlayerDirectory.Entry> map = ReplicatedPlayerDirectory.write(
        LWWMap.create(), NODE_A, new PlayerDirectory.Entry("old", null, 1_000, 1), 0);
    map = ReplicatedPlayerDirectory.write(map, NODE_A, new PlayerDirectory.Entry("p1", "r1", 0, 1), 2_000);
    assertEquals(java.util.Set.of("p1"), map.getEntries().keySet());
  }

  /**
   * A map is pruned at most once per quarter of the keep time on a node: a prune reads the whole map, and
   * every directory write of the node goes through one Replicator actor.
   */
  @Test
  void eachMapIsPrunedAtMostOncePerQuarterOfTheKeepTime() {
    ReplicatedPlayerDirectory directory = new ReplicatedPlayerDirectory(null, 60_000, () -> false);
    long t = 1_000_000;
    assertEquals(t - 60_000, directory.pruneCutoff("p1", t));
    assertEquals(0, directory.pruneCutoff("p1", t + 1));
    assertEquals(0, directory.pruneCutoff("p1", t + 14_999));
    assertEquals(t + 15_000 - 60_000, directory.pruneCutoff("p1", t + 15_000));
    // another map has its own schedule
    String other = java.util.stream.Stream.of("p2", "p3", "p4", "p5")
        .filter(p -> !ReplicatedPlayerDirectory.key(p).equals(ReplicatedPlayerDirectory.key("p1"))).findFirst().orElseThrow();
    assertEquals(t + 1 - 60_000, directory.pruneCutoff(other, t + 1));
    // a write without a prune leaves old entries alone
    LWWMap<String, PlayerDirectory.Entry> map = ReplicatedPlayerDirectory.write(
        LWWMap.create(), NODE_A, new PlayerDirectory.Entry("old", null, 1_000, 1), 0);
    map = ReplicatedPlayerDirectory.write(map, NODE_A, new PlayerDirectory.Entry("p1", "r1", 0, 1), 0);
    assertEquals(java.util.Set.of("old", "p1"), map.getEntries().keySet());
  }

  // ------------------------------------------------------------------ map layouts, on a one-node cluster

  private ActorTestKit kit;

  @AfterEach
  void stop() {
    if (kit != null) kit.shutdownTestKit();
  }

  /** A one-node cluster with the given cluster roles, Up. */
  ActorTestKit node(List<String> roles) {
    kit = ActorTestKit.create("directory", ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
            + "pekko.remote.artery.canonical.port = 0\n"
            + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
        .withValue("pekko.cluster.roles", com.typesafe.config.ConfigValueFactory.fromIterable(roles))
        .withFallback(ConfigFactory.load("application-test")));
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    kit.createTestProbe().awaitAssert(Duration.ofSeconds(20),
        () -> { assertEquals(MemberStatus.up(), cluster.selfMember().status()); return null; });
    return kit;
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private Replicated replicated;
  /** Whether the cluster has a member of an earlier release, as the directory is told. */
  private final AtomicBoolean legacy = new AtomicBoolean();
  /** The directory's clock (epoch ms). */
  private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
  static final long KEEP = 60_000;

  /** The directory of a one-node cluster of this release. */
  ReplicatedPlayerDirectory directory(boolean legacyMembers) {
    node(List.of(ReplicatedPlayerDirectory.LAYOUT_ROLE));
    replicated = new Replicated(kit.system(), Duration.ofSeconds(3));
    legacy.set(legacyMembers);
    return new ReplicatedPlayerDirectory(replicated, KEEP, legacy::get, now::get);
  }

  Optional<PlayerDirectory.Entry> read(Key<LWWMap<String, PlayerDirectory.Entry>> key, String player) throws Exception {
    return await(replicated.getLocal(key)).map(m -> m.getEntries().get(player));
  }

  /** What a node of an earlier release writes: its own layout only. */
  void writeAsEarlierRelease(PlayerDirectory.Entry entry) throws Exception {
    await(replicated.update(ReplicatedPlayerDirectory.legacyKey(entry.player()), LWWMap.create(),
        m -> ReplicatedPlayerDirectory.write(m, replicated.self(), entry, 0)));
  }

  @Test
  void writesGoToTheEarlierLayoutOnlyWhileAMemberUsesIt() throws Exception {
    ReplicatedPlayerDirectory directory = directory(false);

    PlayerDirectory.Entry first = new PlayerDirectory.Entry("p1", "r1", 0, 1);
    await(directory.claim(first));
    assertEquals(Optional.of(first), read(ReplicatedPlayerDirectory.key("p1"), "p1"));
    assertEquals(Optional.empty(), read(ReplicatedPlayerDirectory.legacyKey("p1"), "p1"));

    legacy.set(true);
    PlayerDirectory.Entry second = new PlayerDirectory.Entry("p2", "r1", 0, 1);
    await(directory.claim(second));
    assertEquals(Optional.of(second), read(ReplicatedPlayerDirectory.key("p2"), "p2"));
    assertEquals(Optional.of(second), read(ReplicatedPlayerDirectory.legacyKey("p2"), "p2"));
  }

  @Test
  void readsFindTheLaterSessionInEitherLayout() throws Exception {
    ReplicatedPlayerDirectory directory = directory(true);

    // session 1 on a node of this release (written to both layouts while an older node is a member) ...
    await(directory.claim(new PlayerDirectory.Entry("p1", "r1", 0, 1, "n1", null)));
    // ... then the player resumes on a node of an earlier release, which writes only its own layout
    PlayerDirectory.Entry onOld = new PlayerDirectory.Entry("p1", "r1", 0, 2, "n2", null);
    writeAsEarlierRelease(onOld);
    assertEquals(Optional.of(onOld), await(directory.get("p1")));

    // a player known only to the earlier layout is found once the older nodes have gone, too
    PlayerDirectory.Entry onlyOld = new PlayerDirectory.Entry("p3", null, 5_000, 4);
    writeAsEarlierRelease(onlyOld);
    legacy.set(false);
    assertEquals(Optional.of(onlyOld), await(directory.get("p3")));
    // and with no older node, this layout's entry is the answer even when the earlier one has another
    await(directory.claim(new PlayerDirectory.Entry("p1", "r2", 0, 3, "n3", null)));
    assertEquals("n3", await(directory.get("p1")).orElseThrow().nonce());
  }

  @Test
  void theEarlierLayoutIsReadUntilTheKeepTimeAfterTheLastOlderMemberAndAfterStart() throws Exception {
    ReplicatedPlayerDirectory directory = directory(false);
    writeAsEarlierRelease(new PlayerDirectory.Entry("p1", null, 5_000, 1));
    // a node that has just started may have missed the last older member: it reads both layouts
    assertTrue(await(directory.get("p1")).isPresent());
    now.addAndGet(KEEP);
    assertEquals(Optional.empty(), await(directory.get("p1")));
    // an older member joins (a rollback) and leaves again: read for the keep time after it was last seen
    legacy.set(true);
    assertTrue(await(directory.get("p1")).isPresent());
    legacy.set(false);
    now.addAndGet(KEEP - 1);
    assertTrue(await(directory.get("p1")).isPresent());
    now.addAndGet(1);
    assertEquals(Optional.empty(), await(directory.get("p1")));
  }

  @Test
  void aMemberWithoutTheLayoutRoleIsAnEarlierRelease() throws Exception {
    assertTrue(ReplicatedPlayerDirectory.hasLegacyMembers(Cluster.get(node(List.of("game")).system())));
    kit.shutdownTestKit();
    kit = null;
    assertFalse(ReplicatedPlayerDirectory.hasLegacyMembers(
        Cluster.get(node(List.of("game", ReplicatedPlayerDirectory.LAYOUT_ROLE)).system())));
    // the node adds the role to whatever roles the operator configured, once
    var config = ReplicatedPlayerDirectory.withLayoutRole(ConfigFactory.parseString("pekko.cluster.roles = [game]"));
    assertEquals(List.of("game", ReplicatedPlayerDirectory.LAYOUT_ROLE), config.getStringList("pekko.cluster.roles"));
    assertEquals(config, ReplicatedPlayerDirectory.withLayoutRole(config));
    assertEquals(List.of(ReplicatedPlayerDirectory.LAYOUT_ROLE),
        ReplicatedPlayerDirectory.withLayoutRole(ConfigFactory.empty()).getStringList("pekko.cluster.roles"));
  }
}
