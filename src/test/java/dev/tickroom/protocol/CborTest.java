package dev.tickroom.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The cbor format against the exact test vectors of PROTOCOL.md ("Binary format"). */
class CborTest {
  private static final HexFormat HEX = HexFormat.of();

  static byte[] hex(String s) {
    return HEX.parseHex(s.replace(" ", ""));
  }

  static JsonNode json(String s) throws Exception {
    return Codec.MAPPER.readTree(s);
  }

  @Test
  void pingVectors() throws Exception {
    Cbor.Encoder enc = new Cbor.Encoder();
    JsonNode ping = json("{\"type\":\"ping\",\"t\":1}");
    assertEquals("a264747970656470696e67617401", HEX.formatHex(enc.encode(ping)));
    assertEquals("a200d819010201", HEX.formatHex(enc.encode(ping)));
    assertEquals("0ea264747970656470696e67617401", HEX.formatHex(new Cbor.Encoder().encodeFramed(ping)));

    Cbor.Decoder dec = new Cbor.Decoder();
    assertEquals(ping, dec.decode(hex("a2 64 74797065 64 70696e67 61 74 01")));
    assertEquals(ping, dec.decode(hex("a2 00 d8 19 01 02 01")));
    assertEquals(3, dec.tableSize());
  }

  @Test
  void stateVectors() throws Exception {
    Cbor.Encoder enc = new Cbor.Encoder();
    String first = "a5 64 74797065 65 7374617465 64 726f6f6d 62 7231 64 7469636b 07 63 61636b 03 65 7061746368"
        + " a1 67 706c6179657273 a1 62 7041 a1 61 78 19 01a1";
    String second = "a5 00 d8 19 01 02 62 7231 03 08 04 03 05 a1 06 a1 07 a1 08 19 01a6";
    JsonNode s1 = json("{\"type\":\"state\",\"room\":\"r1\",\"tick\":7,\"ack\":3,\"patch\":{\"players\":{\"pA\":{\"x\":417}}}}");
    JsonNode s2 = json("{\"type\":\"state\",\"room\":\"r1\",\"tick\":8,\"ack\":3,\"patch\":{\"players\":{\"pA\":{\"x\":422}}}}");
    byte[] b1 = enc.encode(s1);
    byte[] b2 = enc.encode(s2);
    assertEquals(first.replace(" ", ""), HEX.formatHex(b1));
    assertEquals(56, b1.length);
    assertEquals(second.replace(" ", ""), HEX.formatHex(b2));
    assertEquals(23, b2.length);
    Cbor.Decoder dec = new Cbor.Decoder();
    assertEquals(s1, dec.decode(b1));
    assertEquals(s2, dec.decode(b2));
  }

  @Test
  void valueVectors() throws Exception {
    String[][] vectors = {
        {"{\"v\":1.5}", "a16176fa3fc00000"},
        {"{\"v\":0.1}", "a16176fb3fb999999999999a"},
        {"{\"v\":-1}", "a1617620"},
        {"{\"v\":[null,true,false,\"ab\"]}", "a1617684f6f5f4626162"},
        {"{\"v\":100000}", "a161761a000186a0"},
        {"{\"v\":\"é\"}", "a1617662c3a9"},
    };
    for (String[] v : vectors) {
      JsonNode value = json(v[0]);
      assertEquals(v[1], HEX.formatHex(new Cbor.Encoder().encode(value)), v[0]);
      assertEquals(value, new Cbor.Decoder().decode(hex(v[1])), v[0]);
      // and it is standard CBOR: Jackson's own CBOR reader agrees (no references in a fresh table's first use)
      assertEquals(value.toString(), new CBORMapper().readTree(hex(v[1])).toString().replace("1.5", "1.5"), v[0]);
    }
    assertEquals(1.5, new Cbor.Decoder().decode(hex("a1 61 76 f9 3e00")).get("v").doubleValue(), "half floats");
  }

  @Test
  void malformedDocumentsAreRejectedAndAddNothing() {
    Cbor.Decoder dec = new Cbor.Decoder();
    String[] bad = {
        "", "a1", "a1 61 76", "a1 00 01", // ends early; reference to an empty table
        "a1 61 76 40", // byte string
        "a1 61 76 c1 01", // another tag
        "a1 61 76 5f", "bf ff", // indefinite lengths
        "a1 01 01", // integer key not in the table
        "a1 61 76 01 00", // trailing bytes
        "a1 61 76 62 c3 28", // invalid UTF-8
        "a1 61 76 9b ffffffffffffffff", // absurd length
        "a1 64 74797065 d8 19 05", // value reference beyond the table ("type" was added, 5 was not)
    };
    for (String b : bad) {
      assertThrows(Cbor.MalformedException.class, () -> dec.decode(hex(b)), b);
      assertEquals(0, dec.tableSize(), "a malformed document adds nothing: " + b);
    }
  }

  @Test
  void theTableStopsGrowingWhenFull() throws Exception {
    Cbor.Encoder enc = new Cbor.Encoder();
    Cbor.Decoder dec = new Cbor.Decoder();
    for (int i = 0; i < Cbor.TABLE_MAX + 50; i++) {
      JsonNode doc = json("{\"key" + i + "\":\"value-" + i + "\"}");
      assertEquals(doc, dec.decode(enc.encode(doc)));
    }
    assertEquals(Cbor.TABLE_MAX, enc.tableSize());
    assertEquals(Cbor.TABLE_MAX, dec.tableSize());
    JsonNode again = json("{\"key0\":\"value-0\",\"key500\":1}");
    byte[] b = enc.encode(again);
    assertTrue(b.length < 12, "strings in the table go as references");
    assertEquals(again, dec.decode(b));
  }

  @Test
  void wireDecodesCborMessagesAfterACborHello() {
    Wire wire = new Wire("tcp", true, null);
    Decoded hello = Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"format\":\"cbor\",\"sync\":\"patch\"}");
    assertTrue(wire.inbound(hello));
    Cbor.Encoder client = new Cbor.Encoder();
    byte[] input = client.encode(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        .put("type", "input").put("seq", 3).set("data", Codec.MAPPER.createObjectNode().put("dx", 1)));
    Decoded d = wire.decodeCbor(input, 0, input.length);
    ClientMessage.Input in = assertInstanceOf(ClientMessage.Input.class, d);
    assertEquals(3, in.seq());
    assertEquals(1, in.data().get("dx").intValue());
    Decoded junk = wire.decodeCbor(new byte[] {1, 2}, 0, 2);
    assertEquals(ErrorCode.BAD_JSON, assertInstanceOf(Decoded.Invalid.class, junk).code());
    byte[] ping = client.encode(Codec.MAPPER.createObjectNode().put("type", "ping").put("t", 0.1));
    assertEquals("0.1", assertInstanceOf(ClientMessage.Ping.class, wire.decodeCbor(ping, 0, ping.length)).t());
  }

  @Test
  void wireSwitchesAfterWelcomeAndSendsPatchesOnlyOnTheirBase() throws Exception {
    Wire wire = new Wire("tcp", false, null);
    wire.inbound(Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"sync\":\"patch\",\"format\":\"cbor\"}"));
    Wire.Out welcome = wire.encode(new ServerMessage.Welcome("p1", "n", "tok"));
    assertTrue(!welcome.binary() && new String(welcome.bytes(), StandardCharsets.UTF_8).startsWith("{\"type\":\"welcome\""));
    Cbor.Decoder client = new Cbor.Decoder();
    byte[] full1 = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
    Wire.Out joined = wire.encode(new ServerMessage.Joined("r", "arena", "p1", 1, full1));
    assertTrue(joined.binary());
    assertEquals(json("{\"x\":1}"), client.decode(joined.bytes()).get("state"));
    // first state after joined: full even though it has a patch (from a view the client never got)
    JsonNode s2 = client.decode(wire.encode(new ServerMessage.State("r", 2, -1, "{\"x\":2}".getBytes(),
        new Delta(11, 10, "{\"x\":2}".getBytes()))).bytes());
    assertEquals(json("{\"x\":2}"), s2.get("state"));
    JsonNode s3 = client.decode(wire.encode(new ServerMessage.State("r", 3, -1, "{\"x\":3,\"y\":0}".getBytes(),
        new Delta(12, 11, "{\"x\":3,\"y\":0}".getBytes()))).bytes());
    assertEquals(json("{\"x\":3,\"y\":0}"), s3.get("patch"));
    assertTrue(!s3.has("state"));
    // state 13 was conflated away: 14's patch is from 13, so 14 goes full
    JsonNode s5 = client.decode(wire.encode(new ServerMessage.State("r", 5, -1, "{\"x\":5,\"y\":0}".getBytes(),
        new Delta(14, 13, "{\"x\":5}".getBytes()))).bytes());
    assertEquals(json("{\"x\":5,\"y\":0}"), s5.get("state"));
  }
}
