package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.junit.jupiter.api.Test;

/** The directory's replicated map: a later session of a player wins on every replica, in any order of writes. */
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
    ReplicatedPlayerDirectory directory = new ReplicatedPlayerDirectory(null, 60_000);
    long t = 1_000_000;
    assertEquals(t - 60_000, directory.pruneCutoff("p1", t));
    assertEquals(0, directory.pruneCutoff("p1", t + 1));
    assertEquals(0, directory.pruneCutoff("p1", t + 14_999));
    assertEquals(t + 15_000 - 60_000, directory.pruneCutoff("p1", t + 15_000));
    // another map has its own schedule
    String other = java.util.stream.Stream.of("p2", "p3", "p4", "p5").filter(p -> Math.floorMod(p.hashCode(), 32)
        != Math.floorMod("p1".hashCode(), 32)).findFirst().orElseThrow();
    assertEquals(t + 1 - 60_000, directory.pruneCutoff(other, t + 1));
    // a write without a prune leaves old entries alone
    LWWMap<String, PlayerDirectory.Entry> map = ReplicatedPlayerDirectory.write(
        LWWMap.create(), NODE_A, new PlayerDirectory.Entry("old", null, 1_000, 1), 0);
    map = ReplicatedPlayerDirectory.write(map, NODE_A, new PlayerDirectory.Entry("p1", "r1", 0, 1), 0);
    assertEquals(java.util.Set.of("old", "p1"), map.getEntries().keySet());
  }
}
