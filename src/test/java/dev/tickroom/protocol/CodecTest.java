package dev.tickroom.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CodecTest {

  private static Decoded.Invalid invalid(String line) {
    return assertInstanceOf(Decoded.Invalid.class, Codec.decode(line));
  }

  @Test
  void decodesEveryClientMessage() throws Exception {
    assertEquals(new ClientMessage.Hello("ann", null), Codec.decode("{\"type\":\"hello\",\"name\":\"ann\"}"));
    assertEquals(new ClientMessage.Hello("ann", "tok"), Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"resume\":\"tok\"}"));
    assertEquals(new ClientMessage.Join("r-1.a_B", null), Codec.decode("{\"type\":\"join\",\"room\":\"r-1.a_B\"}"));
    assertEquals(new ClientMessage.Join("r", "arena"), Codec.decode("{\"room\":\"r\",\"game\":\"arena\",\"type\":\"join\"}"));
    ClientMessage.Input in = assertInstanceOf(ClientMessage.Input.class,
        Codec.decode("{\"type\":\"input\",\"seq\":7,\"data\":{\"dx\":1,\"dy\":-1}}"));
    assertEquals(7, in.seq());
    assertEquals(Codec.MAPPER.readTree("{\"dx\":1,\"dy\":-1}"), in.data());
    assertEquals(ClientMessage.Leave.INSTANCE, Codec.decode(" {\"type\":\"leave\"} "));
    assertEquals(new ClientMessage.Chat("hi there"), Codec.decode("{\"type\":\"chat\",\"text\":\"hi there\"}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "1", "-0.0", "12345678901234567890123456789012345678901234567890.000000000000000000001",
      "1e400", "\"str\\u00e9\"", "null", "true", "[1, {\"a\" : [ ]}, 2.50]", "{\"nested\": {\"x\": 1.10}}"})
  void pingKeepsTheExactTextOfT(String t) {
    ClientMessage.Ping ping = assertInstanceOf(ClientMessage.Ping.class,
        Codec.decode("{\"type\":\"ping\",\"t\": " + t + " , \"x\":1}"));
    assertEquals(t, ping.t());
    ClientMessage.Ping last = assertInstanceOf(ClientMessage.Ping.class, Codec.decode("{\"type\":\"ping\",\"t\":" + t + "}"));
    assertEquals(t, last.t());
    String encoded = new String(Codec.encode(new ServerMessage.Pong(ping.t())), StandardCharsets.UTF_8);
    assertEquals("{\"type\":\"pong\",\"t\":" + t + "}", encoded);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "not json", "[1,2]", "\"hello\"", "{\"type\":\"ping\"", "{\"type\":\"ping\",\"t\":1} {}",
      "{\"type\":\"ping\",\"t\":1} x", "{\"a\":1,}", "{'type':'ping'}", "{\"type\":\"hello\",\"name\":\"a\"}}"})
  void badJson(String line) {
    Decoded.Invalid inv = invalid(line);
    assertEquals(ErrorCode.BAD_JSON, inv.code());
  }

  @Test
  void unknownTypeAndBadRequests() {
    Decoded.Invalid u = invalid("{\"type\":\"dance\"}");
    assertEquals(ErrorCode.UNKNOWN_TYPE, u.code());
    assertEquals("dance", u.type());

    List<String> bad = List.of(
        "{}",
        "{\"type\":5}",
        "{\"type\":\"hello\"}",
        "{\"type\":\"hello\",\"name\":\"\"}",
        "{\"type\":\"hello\",\"name\":\"" + "x".repeat(33) + "\"}",
        "{\"type\":\"hello\",\"name\":7}",
        "{\"type\":\"hello\",\"name\":\"a\",\"resume\":5}",
        "{\"type\":\"join\"}",
        "{\"type\":\"join\",\"room\":\"has space\"}",
        "{\"type\":\"join\",\"room\":\"" + "r".repeat(65) + "\"}",
        "{\"type\":\"join\",\"room\":\"\"}",
        "{\"type\":\"join\",\"room\":\"r\",\"game\":3}",
        "{\"type\":\"input\",\"data\":{}}",
        "{\"type\":\"input\",\"seq\":1.5,\"data\":{}}",
        "{\"type\":\"input\",\"seq\":\"1\",\"data\":{}}",
        "{\"type\":\"input\",\"seq\":-1,\"data\":{}}",
        "{\"type\":\"input\",\"seq\":1,\"data\":[]}",
        "{\"type\":\"input\",\"seq\":1}",
        "{\"type\":\"ping\"}",
        "{\"type\":\"chat\",\"text\":\"\"}",
        "{\"type\":\"chat\",\"text\":\"" + "c".repeat(501) + "\"}",
        "{\"type\":\"chat\"}");
    for (String line : bad) {
      assertEquals(ErrorCode.BAD_REQUEST, invalid(line).code(), line);
    }
    assertEquals("hello", invalid("{\"type\":\"hello\"}").type());
    assertNull(invalid("{}").type());
  }

  @Test
  void limitsCountCharactersNotBytes() {
    String name = "é".repeat(32);
    assertEquals(new ClientMessage.Hello(name, null), Codec.decode("{\"type\":\"hello\",\"name\":\"" + name + "\"}"));
  }

  @Test
  void encodesServerMessages() throws Exception {
    JsonNode w = Codec.MAPPER.readTree(Codec.encode(new ServerMessage.Welcome("p1", "n1", "tok")));
    assertEquals("welcome", w.get("type").asText());
    assertEquals("p1", w.get("player").asText());
    assertEquals("n1", w.get("node").asText());
    assertEquals("tok", w.get("resume").asText());

    byte[] state = "{\"players\":{}}".getBytes(StandardCharsets.UTF_8);
    JsonNode s = Codec.MAPPER.readTree(Codec.encode(new ServerMessage.State("r1", 42, -1, state)));
    assertEquals("state", s.get("type").asText());
    assertEquals("r1", s.get("room").asText());
    assertEquals(42, s.get("tick").asLong());
    assertEquals(-1, s.get("ack").asLong());
    assertEquals(Codec.MAPPER.readTree(state), s.get("state"));

    JsonNode j = Codec.MAPPER.readTree(Codec.encode(new ServerMessage.Joined("r1", "arena", "p1", 3, state)));
    assertEquals("joined", j.get("type").asText());
    assertEquals(Codec.MAPPER.readTree(state), j.get("state"));

    JsonNode e = Codec.MAPPER.readTree(Codec.encode(new ServerMessage.Error("bad_json", "say \"hi\"\n")));
    assertEquals("say \"hi\"\n", e.get("message").asText());

    JsonNode c = Codec.MAPPER.readTree(Codec.encode(new ServerMessage.Chat("r", "p", "π \u0001")));
    assertEquals("π \u0001", c.get("text").asText());

    JsonNode r = Codec.MAPPER.readTree(Codec.encode(new ServerMessage.Reconnect("node_leaving", List.of("a:1", "b:2"))));
    assertEquals("b:2", r.get("nodes").get(1).asText());
    assertArrayEquals("{\"type\":\"left\",\"room\":\"r\"}".getBytes(StandardCharsets.UTF_8), Codec.encode(new ServerMessage.Left("r")));
  }
}
