package dev.tickroom.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node reads what the previous release wrote: snapshots and cross-node room messages saved by release
 * 0.1 (src/test/resources/formats/v0.1, written by WriteFormatFixturesTest before the formats got versions).
 */
@Timeout(60)
class FormatCompatibilityTest {
  static final ActorTestKit kit = FormatFixtures.kit();

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  static void assertOldSnapshot(RoomSnapshot s) {
    assertEquals("r-old", s.roomId());
    assertEquals("counter", s.game());
    assertEquals(1234567L, s.seed());
    assertEquals(41L, s.tick());
    assertEquals(7, s.gameState().tree().get("totals").get("pa").asInt());
    assertEquals(1, s.members().size());
    assertEquals("ann", s.members().get(0).name());
    assertEquals(3L, s.members().get(0).ack());
  }

  @Test
  void aSnapshotOfRelease01IsRead() throws Exception {
    RoomSnapshot s = (RoomSnapshot) FormatFixtures.read(kit, "v0.1", "snapshot");
    assertOldSnapshot(s);
    // what version 1 did not have, its migration fills in
    assertEquals(0, s.incarnation()); // the next restore is incarnation 1
    assertEquals(1, s.gameVersion());
    assertFalse(s.closed());
    assertFalse(s.expired(System.currentTimeMillis(), Duration.ofMinutes(1), Duration.ofMinutes(1)),
        "a snapshot carried over a rolling upgrade must not expire at once");
  }

  @Test
  void theFormatsNowCarryTheirVersionInTheManifest() {
    Serialization ser = SerializationExtension.get(kit.system());
    RoomSnapshot snap = new RoomSnapshot("r", "counter", 1, 2, null, List.of(), 3, 1, 4, false, null, null);
    assertEquals("dev.tickroom.room.RoomSnapshot#2", Serializers.manifestFor(ser.findSerializerFor(snap), snap));
    RoomEvent.State state = new RoomEvent.State("r", 1, 1, new byte[0]);
    assertEquals("dev.tickroom.room.RoomEvent$State#2", Serializers.manifestFor(ser.findSerializerFor(state), state));
    RoomEntity.Join join = new RoomEntity.Join("p", "n", null, kit.system().deadLetters());
    assertEquals("dev.tickroom.room.RoomEntity$Join#3", Serializers.manifestFor(ser.findSerializerFor(join), join));
  }

  /** A state's delta crosses nodes as {version, base, patch} (a CBOR byte string), as when Delta was a record. */
  @Test
  void aStateWithItsDeltaCrossesNodesInTheSameShape() throws Exception {
    Serialization ser = SerializationExtension.get(kit.system());
    byte[] patch = "{\"x\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    RoomEvent.State state = new RoomEvent.State("r", 5, 4, "{\"x\":2}".getBytes(), new dev.tickroom.protocol.Delta(12, 11, patch));
    var serializer = (org.apache.pekko.serialization.SerializerWithStringManifest) ser.findSerializerFor(state);
    byte[] bytes = serializer.toBinary(state);
    var cbor = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory());
    var json = cbor.readTree(bytes).get("delta");
    assertEquals(3, json.size(), json.toString());
    assertEquals(12, json.get("version").asLong());
    assertEquals(11, json.get("base").asLong());
    assertEquals(new String(patch), new String(json.get("patch").binaryValue()));
    RoomEvent.State back = (RoomEvent.State) serializer.fromBinary(bytes, serializer.manifest(state));
    assertEquals(12, back.delta().version());
    assertEquals(11, back.delta().base());
    assertEquals(new String(patch), new String(back.delta().patch()));
  }

  @Test
  @SuppressWarnings("unchecked")
  void aReplicatedMapOfRelease01SnapshotsIsRead() throws Exception {
    LWWMap<String, RoomSnapshot> map = (LWWMap<String, RoomSnapshot>) FormatFixtures.read(kit, "v0.1", "snapshot-map");
    assertOldSnapshot(map.getEntries().get("r-old"));
  }

  @Test
  void aJoinAndAStateOfRelease01AreRead() throws Exception {
    RoomEntity.Join join = (RoomEntity.Join) FormatFixtures.read(kit, "v0.1", "join");
    assertEquals("pa", join.player());
    assertEquals("ann", join.name());
    assertEquals("counter", join.game());
    assertEquals(null, join.identity()); // release 0.1 had none: the room takes the player as anonymous
    assertTrue(join.patch(), "a join of an earlier release keeps the room's patches coming, as they did then");
    RoomEvent.State state = (RoomEvent.State) FormatFixtures.read(kit, "v0.1", "state");
    assertEquals("r-old", state.roomId());
    assertEquals(42L, state.tick());
    assertEquals(3L, state.ack());
    assertEquals("{\"tick\":42}", state.stateText());
    assertEquals(null, state.delta()); // release 0.1 sent no delta
  }

  /**
   * Version 2 (identity, options, label; before the sync): the bytes of release 0.1 are a valid version 2
   * join too, with those three absent. A node of that release does not say whether its client takes
   * patches, so the join reads as one that does (RoomFormats.Join).
   */
  @Test
  void aJoinOfVersion2ReadsAsTakingPatches() throws Exception {
    byte[] bytes;
    try (var in = FormatCompatibilityTest.class.getResourceAsStream("/formats/v0.1/join.bin")) {
      bytes = in.readAllBytes();
    }
    Serialization ser = SerializationExtension.get(kit.system());
    int id = ser.findSerializerFor(new RoomEntity.Join("p", "n", null, kit.system().deadLetters())).identifier();
    RoomEntity.Join join = (RoomEntity.Join) ser.deserialize(bytes, id, "dev.tickroom.room.RoomEntity$Join#2").get();
    assertEquals("pa", join.player());
    assertTrue(join.patch());
  }

  @Test
  void aJoinOfThisVersionKeepsItsSync() {
    Serialization ser = SerializationExtension.get(kit.system());
    for (boolean patch : new boolean[] {false, true}) {
      RoomEntity.Join join = new RoomEntity.Join("p", "n", "counter", kit.system().deadLetters(), null, null, null, patch);
      byte[] bytes = ser.serialize(join).get();
      var serializer = ser.findSerializerFor(join);
      RoomEntity.Join back = (RoomEntity.Join) ser.deserialize(bytes, serializer.identifier(),
          Serializers.manifestFor(serializer, join)).get();
      assertEquals("p", back.player());
      assertEquals(patch, back.patch());
    }
  }

  /**
   * A node not yet upgraded reads the next version of a format, as an upgraded node writes it during a
   * rolling upgrade: here a join of the version after this one, with a field this node does not know.
   */
  @Test
  void aJoinOfTheNextVersionWithANewFieldIsRead() throws Exception {
    Serialization ser = SerializationExtension.get(kit.system());
    RoomEntity.Join join = new RoomEntity.Join("p", "n", "counter", kit.system().deadLetters(), null, null, null, true);
    var serializer = ser.findSerializerFor(join);
    com.fasterxml.jackson.databind.ObjectMapper cbor =
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory());
    com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode) cbor.readTree(ser.serialize(join).get());
    tree.put("addedInTheNextVersion", 42);
    int next = new RoomFormats.Join().currentVersion() + 1;
    RoomEntity.Join back = (RoomEntity.Join) ser.deserialize(cbor.writeValueAsBytes(tree), serializer.identifier(),
        "dev.tickroom.room.RoomEntity$Join#" + next).get();
    assertEquals("p", back.player());
    assertTrue(back.patch());
  }
}
