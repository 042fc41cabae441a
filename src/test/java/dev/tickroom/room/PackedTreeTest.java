package dev.tickroom.room;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import dev.tickroom.protocol.Codec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A game snapshot packed as bytes is the same tree when unpacked, and is written and read as that tree. */
@Timeout(60)
class PackedTreeTest {
  static final ActorTestKit kit = FormatFixtures.kit();

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  /** One of each kind of value a game's snapshot may hold, nested. */
  static JsonNode everyKind() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode o = f.objectNode();
    o.put("int", -7).put("long", 1L << 40).put("big", new BigInteger("123456789012345678901234567890"));
    o.put("double", 0.1).put("float", 2.5f).put("decimal", new BigDecimal("1.25"));
    o.put("true", true).put("false", false).putNull("null");
    o.put("text", "snow ☃ and 🎲").put("empty", "").put("bytes", new byte[] {0, 1, (byte) 0xff});
    o.putObject("players").putObject("p1").put("x", 12.75).putArray("items").add(1).add("two").addNull();
    o.putArray("none");
    o.putObject("nothing");
    return o;
  }

  @Test
  void unpacksToTheSameTree() {
    JsonNode tree = everyKind();
    PackedTree packed = PackedTree.of(tree);
    assertEquals(tree, packed.tree());
    assertEquals(packed, PackedTree.of(packed.tree()));
    assertNull(PackedTree.of(null));
  }

  @Test
  void isWrittenAndReadAsTheTreeItself() throws Exception {
    JsonNode tree = everyKind();
    PackedTree packed = PackedTree.of(tree);
    for (ObjectMapper mapper : List.of(new CBORMapper(), new ObjectMapper())) {
      assertArrayEquals(mapper.writeValueAsBytes(tree), mapper.writeValueAsBytes(packed),
          "written by " + mapper.getFactory().getFormatName());
    }
    CBORMapper cbor = new CBORMapper();
    assertEquals(packed, cbor.readValue(cbor.writeValueAsBytes(tree), PackedTree.class));
    // as a JSON text, a binary value is base64: it comes back as text, as it would in a tree read from JSON
    assertEquals(Codec.MAPPER.readTree(Codec.MAPPER.writeValueAsString(tree)),
        Codec.MAPPER.readValue(Codec.MAPPER.writeValueAsString(packed), PackedTree.class).tree());
  }

  @Test
  void aSnapshotGoesBetweenNodesWithItsGameState() {
    Serialization ser = SerializationExtension.get(kit.system());
    RoomSnapshot snap = new RoomSnapshot("r", "arena", 1, 2, PackedTree.of(everyKind()),
        List.of(new RoomSnapshot.Member("pa", "ann", 3, "pekko://fixtures@127.0.0.1:25520/user/s#1")), 3, 1, 4, false,
        null, null);
    RoomSnapshot back = roundTrip(ser, snap);
    assertEquals(snap, back);
    assertEquals(everyKind(), back.gameState().tree());

    RoomSnapshot tombstone = RoomSnapshot.tombstone("r", "arena", 3, 9, List.of(), 4);
    assertEquals(tombstone, roundTrip(ser, tombstone));
  }

  static RoomSnapshot roundTrip(Serialization ser, RoomSnapshot snap) {
    Serializer serializer = ser.findSerializerFor(snap);
    return (RoomSnapshot) ser.deserialize(serializer.toBinary(snap), serializer.identifier(),
        Serializers.manifestFor(serializer, snap)).get();
  }
}
