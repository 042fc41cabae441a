package dev.tickroom.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * JSON codec for protocol v1: decodes one line into a {@link Decoded} and encodes a {@link ServerMessage}
 * into UTF-8 bytes (without the line terminator: the transport adds its own framing). Thread-safe.
 *
 * <p>Decoding uses Jackson's streaming parser. It keeps the exact text of {@code ping.t} so that it comes
 * back unchanged, and builds a tree only for {@code input.data}.
 */
public final class Codec {
  public static final int MAX_NAME = 32;
  public static final int MAX_ROOM = 64;
  public static final int MAX_CHAT = 500;
  /** Longest {@code hello.token}, in characters (PROTOCOL.md v1.1: 8 KiB). */
  public static final int MAX_TOKEN = 8192;
  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_ROOM + "}");

  /** The mapper games' views are written with, and the one input {@code data} trees come from. */
  public static final ObjectMapper MAPPER;
  private static final JsonFactory FACTORY;

  static {
    JsonFactory factory = JsonFactory.builder()
        // a frame is at most 64 KiB, so no single number or string can be larger than that anyway
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNumberLength(1 << 17).maxStringLength(1 << 17).maxNestingDepth(256).build())
        .build();
    MAPPER = new ObjectMapper(factory);
    FACTORY = MAPPER.getFactory();
  }

  private Codec() {}

  // ------------------------------------------------------------------ decoding

  public static Decoded decode(byte[] line) {
    return decode(line, 0, line.length);
  }

  public static Decoded decode(String line) {
    return decode(line.getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes one message; never throws for any input. */
  public static Decoded decode(byte[] buf, int off, int len) {
    Fields f;
    try {
      f = parse(buf, off, len);
    } catch (IOException | RuntimeException e) {
      return new Decoded.Invalid(ErrorCode.BAD_JSON, null, "a message must be exactly one JSON object");
    }
    if (f == null) return new Decoded.Invalid(ErrorCode.BAD_JSON, null, "a message must be exactly one JSON object");
    return validate(f);
  }

  /** Decodes one message that arrived as a tree (a {@code cbor} document); never throws. */
  public static Decoded decodeTree(JsonNode doc) {
    if (doc == null || !doc.isObject()) {
      return new Decoded.Invalid(ErrorCode.BAD_JSON, null, "a message must be exactly one map");
    }
    Fields f = new Fields();
    f.type = doc.get("type");
    f.name = doc.get("name");
    f.resume = doc.get("resume");
    f.token = doc.get("token");
    f.room = doc.get("room");
    f.game = doc.get("game");
    f.seq = doc.get("seq");
    f.data = doc.get("data");
    f.text = doc.get("text");
    f.sync = doc.get("sync");
    f.format = doc.get("format");
    JsonNode t = doc.get("t");
    if (t != null) f.tRaw = t.toString();
    return validate(f);
  }

  /** The fields of one message, as they came. */
  private static final class Fields {
    JsonNode type;
    JsonNode name;
    JsonNode resume;
    JsonNode token;
    JsonNode room;
    JsonNode game;
    JsonNode seq;
    JsonNode data;
    JsonNode text;
    JsonNode options;
    JsonNode filter;
    JsonNode sync;
    JsonNode format;
    String tRaw;
  }

  private static Fields parse(byte[] buf, int off, int len) throws IOException {
    try (JsonParser p = FACTORY.createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      Fields f = new Fields();
      long tStart = -1;
      JsonToken tok = p.nextToken();
      while (tok == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if ("t".equals(field)) {
          tStart = p.currentTokenLocation().getByteOffset();
          p.skipChildren();
          tok = p.nextToken();
          long tEnd = p.currentTokenLocation().getByteOffset();
          f.tRaw = rawText(buf, off, tStart, tEnd);
          continue;
        }
        switch (field) {
          case "type" -> f.type = p.readValueAsTree();
          case "name" -> f.name = p.readValueAsTree();
          case "resume" -> f.resume = p.readValueAsTree();
          case "token" -> f.token = p.readValueAsTree();
          case "room" -> f.room = p.readValueAsTree();
          case "game" -> f.game = p.readValueAsTree();
          case "seq" -> f.seq = p.readValueAsTree();
          case "data" -> f.data = p.readValueAsTree();
          case "text" -> f.text = p.readValueAsTree();
          case "options" -> f.options = p.readValueAsTree();
          case "filter" -> f.filter = p.readValueAsTree();
          case "sync" -> f.sync = p.readValueAsTree();
          case "format" -> f.format = p.readValueAsTree();
          default -> p.skipChildren(); // unknown fields are ignored
        }
        tok = p.nextToken();
      }
      if (tok != JsonToken.END_OBJECT) return null;
      if (p.nextToken() != null) return null; // something after the object
      return f;
    }
  }

  /** The JSON text between a value's first byte and the next token, without separators around it. */
  private static String rawText(byte[] buf, int off, long start, long nextToken) {
    int from = off + (int) start;
    int to = off + (int) nextToken;
    while (to > from && isSpace(buf[to - 1])) to--;
    if (to > from && buf[to - 1] == ',') to--;
    while (to > from && isSpace(buf[to - 1])) to--;
    return new String(buf, from, to - from, StandardCharsets.UTF_8);
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\r' || b == '\n';
  }

  private static Decoded validate(Fields f) {
    if (f.type == null) return bad(null, "the field 'type' is required");
    if (!f.type.isTextual()) return bad(null, "the field 'type' must be a string");
    String type = f.type.textValue();
    switch (type) {
      case "hello": {
        String name = text(f.name);
        if (name == null) return bad(type, "hello needs a string 'name'");
        int n = name.codePointCount(0, name.length());
        if (n < 1 || n > MAX_NAME) return bad(type, "name must be 1 to " + MAX_NAME + " characters");
        if (name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
          return bad(type, "name must be printable and not blank");
        }
        String resume = null;
        if (f.resume != null && !f.resume.isNull()) {
          if (!f.resume.isTextual()) return bad(type, "resume must be a string token from an earlier welcome");
          resume = f.resume.textValue();
        }
        String sync = "full";
        if (f.sync != null && !f.sync.isNull()) {
          if (!f.sync.isTextual() || !(f.sync.textValue().equals("full") || f.sync.textValue().equals("patch"))) {
            return bad(type, "sync must be \"full\" or \"patch\"");
          }
          sync = f.sync.textValue();
        }
        String format = "json";
        if (f.format != null && !f.format.isNull()) {
          if (!f.format.isTextual() || !(f.format.textValue().equals("json") || f.format.textValue().equals("cbor"))) {
            return bad(type, "format must be \"json\" or \"cbor\"");
          }
          format = f.format.textValue();
        }
        String token = null;
        if (f.token != null && !f.token.isNull()) {
          if (!f.token.isTextual()) return bad(type, "token must be a string credential");
          token = f.token.textValue();
          if (token.length() > MAX_TOKEN) return bad(type, "token must be at most " + MAX_TOKEN + " characters");
        }
        return new ClientMessage.Hello(name, resume, sync, format, token);
      }
      case "join": {
        String room = text(f.room);
        if (room == null) return bad(type, "join needs a string 'room'");
        if (!ROOM.matcher(room).matches()) {
          return bad(type, "room must be 1 to " + MAX_ROOM + " characters of A-Z a-z 0-9 _ . -");
        }
        String game = null;
        if (f.game != null && !f.game.isNull()) {
          if (!f.game.isTextual() || f.game.textValue().isEmpty()) return bad(type, "game must be a game name");
          game = f.game.textValue();
        }
        JsonNode options = f.options == null || f.options.isNull() ? null : f.options;
        String badOptions = checkOptions(options);
        if (badOptions != null) return bad(type, badOptions);
        return new ClientMessage.Join(room, game, options);
      }
      case "quick_join": {
        if (f.game == null || !f.game.isTextual() || f.game.textValue().isEmpty() || f.game.textValue().length() > MAX_ROOM) {
          return bad(type, "quick_join needs a string 'game'");
        }
        java.util.Map<String, Object> filter = new java.util.TreeMap<>();
        if (f.filter != null && !f.filter.isNull()) {
          if (!f.filter.isObject()) return bad(type, "filter must be an object of string, number or boolean values");
          if (f.filter.size() > MAX_FILTER_KEYS) return bad(type, "filter has at most " + MAX_FILTER_KEYS + " keys");
          var it = f.filter.fields();
          while (it.hasNext()) {
            var e = it.next();
            JsonNode v = e.getValue();
            if (e.getKey().isEmpty() || e.getKey().length() > 64) return bad(type, "a filter key is 1..64 characters");
            if (v.isTextual() && v.textValue().length() <= 256) filter.put(e.getKey(), v.textValue());
            else if (v.isBoolean()) filter.put(e.getKey(), v.booleanValue());
            else if (v.isIntegralNumber() && v.canConvertToLong()) filter.put(e.getKey(), v.longValue());
            else if (v.isNumber() && Double.isFinite(v.doubleValue())) filter.put(e.getKey(), v.doubleValue());
            else return bad(type, "filter '" + abbreviate(e.getKey()) + "' must be a string (up to 256), number or boolean");
          }
        }
        JsonNode options = f.options == null || f.options.isNull() ? null : f.options;
        String badOptions = checkOptions(options);
        if (badOptions != null) return bad(type, badOptions);
        return new ClientMessage.QuickJoin(f.game.textValue(), java.util.Collections.unmodifiableMap(filter), options);
      }
      case "list_rooms": {
        String game = null;
        if (f.game != null && !f.game.isNull()) {
          if (!f.game.isTextual() || f.game.textValue().isEmpty()) return bad(type, "game must be a game name");
          game = f.game.textValue();
        }
        return new ClientMessage.ListRooms(game);
      }
      case "input": {
        if (f.seq == null || !f.seq.isIntegralNumber() || !f.seq.canConvertToLong() || f.seq.longValue() < 0) {
          return bad(type, "input needs an integer 'seq' >= 0");
        }
        if (f.data == null || !f.data.isObject()) return bad(type, "input needs an object 'data'");
        return new ClientMessage.Input(f.seq.longValue(), f.data);
      }
      case "leave":
        return ClientMessage.Leave.INSTANCE;
      case "ping":
        if (f.tRaw == null) return bad(type, "ping needs a field 't' (any JSON value)");
        return new ClientMessage.Ping(f.tRaw);
      case "chat": {
        String text = text(f.text);
        if (text == null) return bad(type, "chat needs a string 'text'");
        int n = text.codePointCount(0, text.length());
        if (n < 1 || n > MAX_CHAT) return bad(type, "text must be 1 to " + MAX_CHAT + " characters");
        return new ClientMessage.Chat(text);
      }
      default:
        return new Decoded.Invalid(ErrorCode.UNKNOWN_TYPE, type, "unknown message type '" + abbreviate(type) + "'");
    }
  }

  public static final int MAX_OPTIONS_BYTES = 4096;
  public static final int MAX_FILTER_KEYS = 16;

  /** Null when {@code options} is absent or a JSON object of at most 4 KiB; else what is wrong. */
  private static String checkOptions(JsonNode options) {
    if (options == null) return null;
    if (!options.isObject()) return "options must be an object";
    try {
      if (MAPPER.writeValueAsBytes(options).length > MAX_OPTIONS_BYTES) return "options must be at most 4 KiB of JSON";
    } catch (IOException e) {
      return "options must be an object";
    }
    return null;
  }

  private static String text(JsonNode n) {
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  private static Decoded bad(String type, String message) {
    return new Decoded.Invalid(ErrorCode.BAD_REQUEST, type, message);
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  // ------------------------------------------------------------------ encoding

  /** Encodes a message as one JSON object in UTF-8, without a line terminator. */
  public static byte[] encode(ServerMessage message) {
    if (message instanceof ServerMessage.State s) return encodeState(s.room(), s.tick(), s.ack(), s.stateJson());
    ByteArrayBuilder out = new ByteArrayBuilder(128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      if (message instanceof ServerMessage.Welcome w) {
        g.writeStringField("type", "welcome");
        g.writeStringField("player", w.player());
        g.writeStringField("node", w.node());
        g.writeStringField("resume", w.resume());
        g.writeArrayFieldStart("features");
        for (String f : w.features()) g.writeString(f);
        g.writeEndArray();
      } else if (message instanceof ServerMessage.Joined j) {
        g.writeStringField("type", "joined");
        g.writeStringField("room", j.room());
        g.writeStringField("game", j.game());
        g.writeStringField("player", j.player());
        g.writeNumberField("tick", j.tick());
        g.writeFieldName("state");
        g.writeRawValue(new String(j.stateJson(), StandardCharsets.UTF_8));
      } else if (message instanceof ServerMessage.Left l) {
        g.writeStringField("type", "left");
        g.writeStringField("room", l.room());
        if (l.reason() != null) {
          g.writeStringField("reason", l.reason());
          if ("finished".equals(l.reason())) {
            g.writeFieldName("result");
            g.writeRawValue(l.resultJson() == null ? "null" : new String(l.resultJson(), StandardCharsets.UTF_8));
          }
        }
      } else if (message instanceof ServerMessage.Event ev) {
        g.writeStringField("type", "event");
        g.writeStringField("room", ev.room());
        g.writeStringField("name", ev.name());
        g.writeFieldName("data");
        g.writeRawValue(ev.dataJson() == null ? "null" : new String(ev.dataJson(), StandardCharsets.UTF_8));
      } else if (message instanceof ServerMessage.Rooms rs) {
        g.writeStringField("type", "rooms");
        g.writeArrayFieldStart("rooms");
        for (ServerMessage.RoomListing r : rs.rooms()) {
          g.writeStartObject();
          g.writeStringField("room", r.room());
          g.writeStringField("game", r.game());
          g.writeNumberField("players", r.players());
          g.writeNumberField("max_players", r.maxPlayers());
          g.writeFieldName("label");
          MAPPER.writeValue(g, r.label() == null ? java.util.Map.of() : r.label());
          g.writeEndObject();
        }
        g.writeEndArray();
      } else if (message instanceof ServerMessage.Pong p) {
        g.writeStringField("type", "pong");
        g.writeFieldName("t");
        g.writeRawValue(p.t());
      } else if (message instanceof ServerMessage.Chat c) {
        g.writeStringField("type", "chat");
        g.writeStringField("room", c.room());
        g.writeStringField("from", c.from());
        g.writeStringField("text", c.text());
      } else if (message instanceof ServerMessage.Reconnect r) {
        g.writeStringField("type", "reconnect");
        g.writeStringField("reason", r.reason());
        g.writeArrayFieldStart("nodes");
        for (String n : r.nodes()) g.writeString(n);
        g.writeEndArray();
      } else if (message instanceof ServerMessage.Error e) {
        g.writeStringField("type", "error");
        g.writeStringField("code", e.code());
        g.writeStringField("message", e.message());
      } else {
        throw new IllegalArgumentException("unknown message " + message);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static final byte[] STATE_HEAD = "{\"type\":\"state\",\"room\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TICK = "\",\"tick\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ACK = ",\"ack\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] STATE = ",\"state\":".getBytes(StandardCharsets.US_ASCII);

  /**
   * The hot path: a {@code state} message assembled from the room's once-encoded state bytes and this
   * member's ack. Room names are validated to need no escaping.
   */
  public static byte[] encodeState(String room, long tick, long ack, byte[] stateJson) {
    return assembleState(room, tick, ack, STATE, stateJson, false);
  }

  /**
   * A {@code state} message as the TCP line of a full or (with {@code asPatch}) a {@code patch} connection:
   * the message and its newline in one buffer, with no copy to append it.
   */
  public static byte[] encodeStateLine(ServerMessage.State s, boolean asPatch) {
    return asPatch
        ? assembleState(s.room(), s.tick(), s.ack(), PATCH, s.delta().patch(), true)
        : assembleState(s.room(), s.tick(), s.ack(), STATE, s.stateJson(), true);
  }

  private static byte[] assembleState(String room, long tick, long ack, byte[] field, byte[] stateJson, boolean newline) {
    byte[] roomBytes = room.getBytes(StandardCharsets.US_ASCII);
    byte[] tickBytes = Long.toString(tick).getBytes(StandardCharsets.US_ASCII);
    byte[] ackBytes = Long.toString(ack).getBytes(StandardCharsets.US_ASCII);
    int len = STATE_HEAD.length + roomBytes.length + TICK.length + tickBytes.length + ACK.length + ackBytes.length
        + field.length + stateJson.length + 1 + (newline ? 1 : 0);
    byte[] out = new byte[len];
    int i = 0;
    i = put(out, i, STATE_HEAD);
    i = put(out, i, roomBytes);
    i = put(out, i, TICK);
    i = put(out, i, tickBytes);
    i = put(out, i, ACK);
    i = put(out, i, ackBytes);
    i = put(out, i, field);
    i = put(out, i, stateJson);
    out[i] = '}';
    if (newline) out[i + 1] = '\n';
    return out;
  }

  private static final byte[] PATCH = ",\"patch\":".getBytes(StandardCharsets.US_ASCII);

  /** A {@code state} message of a {@code patch} connection: the room's once-encoded patch and this member's ack. */
  public static byte[] encodeStatePatch(String room, long tick, long ack, byte[] patchJson) {
    return assembleState(room, tick, ack, PATCH, patchJson, false);
  }

  /**
   * A message as a tree, for the {@code cbor} format; a state carries {@code patch} instead of {@code state}
   * when {@code asPatch}.
   */
  public static JsonNode toTree(ServerMessage message, boolean asPatch) {
    try {
      if (message instanceof ServerMessage.State s) {
        com.fasterxml.jackson.databind.node.ObjectNode o = MAPPER.createObjectNode();
        o.put("type", "state");
        o.put("room", s.room());
        o.put("tick", s.tick());
        o.put("ack", s.ack());
        if (asPatch) o.set("patch", s.delta().patchTree()); // read once per room and tick, not per connection
        else o.set("state", MAPPER.readTree(s.stateJson()));
        return o;
      }
      return MAPPER.readTree(encode(message));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int put(byte[] out, int at, byte[] src) {
    System.arraycopy(src, 0, out, at, src.length);
    return at + src.length;
  }

  /** Serialises a game view (record, Map or JsonNode) to JSON bytes. */
  public static byte[] writeJson(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
