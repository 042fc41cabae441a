package dev.tickroom.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property tests (seeded random loops) of merge patch sync: for random sequences of views, each patch applied
 * to the client's copy gives exactly the next view under the null rule, as JSON text and through the cbor
 * format's encoder and decoder (whose string tables live across the whole sequence, as on a connection).
 */
class MergePatchTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Test
  void patchesReproduceEveryViewOfRandomSequences() throws Exception {
    for (long seed = 1; seed <= 300; seed++) {
      Random rnd = new Random(seed);
      Cbor.Encoder enc = new Cbor.Encoder();
      Cbor.Decoder dec = new Cbor.Decoder();
      JsonNode view = randomObject(rnd, 0);
      JsonNode client = view; // the client starts from a full state (joined)
      JsonNode cborClient = dec.decode(enc.encode(view));
      assertEquals(view, cborClient, "seed " + seed + ": full state through cbor");
      for (int step = 0; step < 40; step++) {
        JsonNode next = rnd.nextInt(10) == 0 ? randomObject(rnd, 0) : mutate(rnd, view, 0);
        JsonNode patch = diff(view, next);
        // no member more or less than the smallest patch has, worked out on trees
        assertEquals(treeDiff(view, next), patch, "seed " + seed + " step " + step);
        // through JSON bytes, as a patch connection gets it
        JsonNode wirePatch = Codec.MAPPER.readTree(Codec.MAPPER.writeValueAsBytes(patch));
        client = MergePatch.apply(client, wirePatch);
        String where = "seed " + seed + " step " + step + "\nprev  " + view + "\nnext  " + next + "\npatch " + patch;
        assertEquals(MergePatch.stripNulls(next), MergePatch.stripNulls(client), where);
        // and through the cbor format
        cborClient = MergePatch.apply(cborClient, dec.decode(enc.encode(patch)));
        assertEquals(MergePatch.stripNulls(next), MergePatch.stripNulls(cborClient), "cbor: " + where);
        view = next;
      }
    }
  }

  @Test
  void aClientThatOnlyGotFullStatesAfterAGapStillMatches() throws Exception {
    Random rnd = new Random(7);
    JsonNode view = randomObject(rnd, 0);
    for (int i = 0; i < 50; i++) {
      JsonNode a = mutate(rnd, view, 0);
      JsonNode b = mutate(rnd, a, 0);
      // the client holds view; a was conflated away, so b comes as a full state, then patches go on
      JsonNode client = b;
      JsonNode c = mutate(rnd, b, 0);
      client = MergePatch.apply(client, diff(b, c));
      assertEquals(MergePatch.stripNulls(c), MergePatch.stripNulls(client));
      view = c;
    }
  }

  @Test
  void knownPatches() throws Exception {
    JsonNode prev = json("{\"players\":{\"a\":{\"x\":1,\"y\":2,\"name\":\"ann\"},\"b\":{\"x\":5}},\"coins\":[1,2],\"turn\":\"a\"}");
    JsonNode next = json("{\"players\":{\"a\":{\"x\":2,\"y\":2,\"name\":\"ann\"},\"c\":{\"x\":0,\"gone\":null}},\"coins\":[1,2],\"turn\":null}");
    assertEquals(json("{\"players\":{\"b\":null,\"a\":{\"x\":2},\"c\":{\"x\":0}},\"turn\":null}"), diff(prev, next));
    assertEquals(json("{}"), diff(next, next));
    // RFC 7386 appendix A examples
    assertEquals(json("{\"a\":\"z\",\"c\":{\"d\":\"e\"}}"),
        MergePatch.apply(json("{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"}}"), json("{\"a\":\"z\",\"c\":{\"f\":null}}")));
    assertEquals(json("[1]"), MergePatch.apply(json("{\"a\":\"b\"}"), json("[1]")));
    assertEquals(json("{\"a\":{\"bb\":{}}}"), MergePatch.apply(json("{}"), json("{\"a\":{\"bb\":{\"ccc\":null}}}")));
  }

  /** Maps bigger than a scan is good for, whose keys were reordered, inserted, removed and changed. */
  @Test
  void bigMapsWhoseKeysMovedAreDiffedExactly() throws Exception {
    for (long seed = 1; seed <= 100; seed++) {
      Random rnd = new Random(seed);
      int n = 9 + rnd.nextInt(200);
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < n; i++) keys.add("id-" + i);
      ObjectNode prev = F.objectNode();
      for (String k : keys) prev.set(k, randomValue(rnd, 2));
      java.util.Collections.shuffle(keys, rnd);
      ObjectNode next = F.objectNode();
      if (rnd.nextBoolean()) next.put("new-first", 1);
      for (String k : keys) {
        int what = rnd.nextInt(6);
        if (what == 0) continue; // removed
        next.set(k, what == 1 ? randomValue(rnd, 2) : prev.get(k));
      }
      ObjectNode pw = F.objectNode().set("m", prev);
      ObjectNode nw = F.objectNode().set("m", next);
      JsonNode patch = diff(pw, nw);
      assertEquals(treeDiff(pw, nw), patch, "seed " + seed);
      assertEquals(MergePatch.stripNulls(nw), MergePatch.stripNulls(MergePatch.apply(pw, patch)), "seed " + seed);
    }
  }

  @Test
  void theDiffReadsAnyLayoutOfTheBytesAndRefusesWhatIsNotJson() throws Exception {
    Random rnd = new Random(11);
    com.fasterxml.jackson.databind.ObjectWriter pretty = Codec.MAPPER.writerWithDefaultPrettyPrinter();
    for (int i = 0; i < 200; i++) {
      JsonNode a = randomObject(rnd, 0);
      JsonNode b = mutate(rnd, a, 0);
      // the same documents with whitespace everywhere JSON allows it give the same patch
      assertEquals(diff(a, b), diff(pretty.writeValueAsBytes(a), pretty.writeValueAsBytes(b)));
    }
    for (String bad : new String[] {"", "{", "{\"a\":}", "{\"a\" 1}", "[1,]x", "{\"a\":tru}", "\"abc", "{} {}", "{a:1}"}) {
      JsonTape t = new JsonTape();
      org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> t.parse(bad.getBytes(java.nio.charset.StandardCharsets.UTF_8)), bad);
    }
  }

  /** The smallest merge patch from one tree to the next (the null rule applied), to hold the server's to. */
  static JsonNode treeDiff(JsonNode prev, JsonNode next) {
    if (!next.isObject()) return next;
    if (!prev.isObject()) return MergePatch.stripNulls(next);
    ObjectNode patch = F.objectNode();
    prev.fields().forEachRemaining(e -> {
      JsonNode n = next.get(e.getKey());
      if (!e.getValue().isNull() && (n == null || n.isNull())) patch.putNull(e.getKey());
    });
    next.fields().forEachRemaining(e -> {
      JsonNode n = e.getValue();
      JsonNode p = prev.get(e.getKey());
      if (n.isNull()) return;
      if (p == null || p.isNull() || !(n.isObject() && p.isObject())) {
        if (!n.equals(p)) patch.set(e.getKey(), MergePatch.stripNulls(n));
      } else {
        JsonNode sub = treeDiff(p, n);
        if (sub.size() > 0) patch.set(e.getKey(), sub);
      }
    });
    return patch;
  }

  /** The patch the server makes from one view's bytes to the next's, read back as a tree. */
  static JsonNode diff(JsonNode prev, JsonNode next) throws Exception {
    return diff(Codec.MAPPER.writeValueAsBytes(prev), Codec.MAPPER.writeValueAsBytes(next));
  }

  static JsonNode diff(byte[] prev, byte[] next) throws Exception {
    JsonTape p = new JsonTape();
    JsonTape n = new JsonTape();
    p.parse(prev);
    n.parse(next);
    // read strictly: a key twice in one object would pass a lenient read (the last one wins) unnoticed
    return STRICT.readTree(MergePatch.diff(p, n, new MergePatch.Buffer()));
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper STRICT = new com.fasterxml.jackson.databind.ObjectMapper()
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  static JsonNode json(String s) throws Exception {
    return Codec.MAPPER.readTree(s);
  }

  private static final String[] KEYS = {"a", "b", "players", "x", "y", "pQ3xAbCdEf", "score", "coins", "k1", "k2", "é", ""};

  static ObjectNode randomObject(Random rnd, int depth) {
    ObjectNode o = F.objectNode();
    int n = rnd.nextInt(depth > 2 ? 3 : 6);
    for (int i = 0; i < n; i++) o.set(KEYS[rnd.nextInt(KEYS.length)], randomValue(rnd, depth + 1));
    return o;
  }

  static JsonNode randomValue(Random rnd, int depth) {
    int kind = rnd.nextInt(depth > 3 ? 6 : 8);
    switch (kind) {
      case 0: return F.nullNode();
      case 1: return F.numberNode(rnd.nextInt(2000) - 1000);
      case 2: return rnd.nextBoolean() ? F.numberNode(rnd.nextLong()) : F.numberNode(rnd.nextInt(100) / 4.0);
      case 3: return F.numberNode(rnd.nextDouble() * 1e6);
      case 4: return F.textNode(List.of("", "X", "ann", "pQ3xAbCdEf", "zürich", "a".repeat(70)).get(rnd.nextInt(6)));
      case 5: return F.booleanNode(rnd.nextBoolean());
      case 6: {
        ArrayNode a = F.arrayNode();
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) a.add(randomValue(rnd, depth + 1));
        return a;
      }
      default: return randomObject(rnd, depth);
    }
  }

  /** The view a little changed: members added, removed, set to null, changed, or changed inside. */
  static JsonNode mutate(Random rnd, JsonNode view, int depth) {
    ObjectNode o = ((ObjectNode) view).deepCopy();
    List<String> keys = new ArrayList<>();
    o.fieldNames().forEachRemaining(keys::add);
    int changes = 1 + rnd.nextInt(3);
    for (int i = 0; i < changes; i++) {
      int what = rnd.nextInt(5);
      if (what == 0 || keys.isEmpty()) {
        o.set(KEYS[rnd.nextInt(KEYS.length)], randomValue(rnd, depth + 1));
      } else {
        String k = keys.get(rnd.nextInt(keys.size()));
        JsonNode v = o.get(k);
        if (v == null) continue;
        if (what == 1) o.remove(k);
        else if (what == 2) o.putNull(k);
        else if (what == 3 && v.isObject()) o.set(k, mutate(rnd, v, depth + 1));
        else o.set(k, randomValue(rnd, depth + 1));
      }
    }
    return o;
  }
}
