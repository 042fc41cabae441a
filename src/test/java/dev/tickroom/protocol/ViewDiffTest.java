package dev.tickroom.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A view line that makes a patch only when someone on it takes patches: the views it renders without one
 * still number the line, so a client never takes one for another, and a patch client that starts from any
 * view in full patches on correctly.
 */
class ViewDiffTest {

  @Test
  void viewsWithoutPatchAdvanceTheVersionAndThePatchesStartAgainOneViewLater() throws Exception {
    ViewDiff line = new ViewDiff();
    ViewDiff.Frame f1 = line.next(bytes("{\"a\":1,\"b\":{\"c\":1}}"));
    ViewDiff.Frame f2 = line.nextWithoutPatch(bytes("{\"a\":2,\"b\":{\"c\":1}}"));
    ViewDiff.Frame f3 = line.nextWithoutPatch(bytes("{\"a\":3,\"b\":{\"c\":1}}"));
    for (ViewDiff.Frame f : new ViewDiff.Frame[] {f1, f2, f3}) {
      assertNull(f.delta().patch());
      assertEquals(0, f.delta().base());
      assertNotEquals(0, f.delta().version());
    }
    assertNotEquals(f1.delta().version(), f2.delta().version());
    assertNotEquals(f2.delta().version(), f3.delta().version());
    // the line kept no view while no one took patches: the first view that asks has nothing to patch from
    ViewDiff.Frame f4 = line.next(bytes("{\"a\":1,\"b\":{\"c\":2}}"));
    assertNull(f4.delta().patch());
    ViewDiff.Frame f5 = line.next(bytes("{\"a\":1,\"b\":{\"c\":3}}"));
    assertEquals(f4.delta().version(), f5.delta().base());
    assertEquals(MergePatchTest.json("{\"a\":1,\"b\":{\"c\":3}}"),
        MergePatch.apply(Codec.MAPPER.readTree(f4.full()), Codec.MAPPER.readTree(f5.delta().patch())));
  }

  private static byte[] bytes(String json) throws Exception {
    return Codec.MAPPER.writeValueAsBytes(MergePatchTest.json(json));
  }

  /**
   * Random sequences of views where the line's patch members come and go (runs with and without patches),
   * sent to a patch connection through its {@link Wire}, now and then one left out (conflated for a slow
   * reader): the client holds every view it was sent exactly.
   */
  @Test
  void aPatchConnectionHoldsEveryViewWhilePatchesAreMadeOnlySometimes() throws Exception {
    int patchesSent = 0;
    for (long seed = 1; seed <= 200; seed++) {
      Random rnd = new Random(seed);
      ViewDiff line = new ViewDiff();
      Wire wire = new Wire("tcp", false, null);
      wire.inbound(Codec.decode("{\"type\":\"hello\",\"name\":\"ann\",\"sync\":\"patch\"}"));
      wire.encode(new ServerMessage.Welcome("p1", "n", "tok"));
      JsonNode view = MergePatchTest.randomObject(rnd, 0);
      ViewDiff.Frame first = next(line, view, rnd.nextBoolean());
      JsonNode client = Codec.MAPPER.readTree(wire.encode(new ServerMessage.Joined("r", "g", "p1", 0, first.full())).bytes())
          .get("state");
      boolean withPatch = rnd.nextBoolean();
      for (int tick = 1; tick <= 40; tick++) {
        if (rnd.nextInt(5) == 0) withPatch = !withPatch; // a patch member joined, or the last one left
        view = rnd.nextInt(10) == 0 ? MergePatchTest.randomObject(rnd, 0) : MergePatchTest.mutate(rnd, view, 0);
        ViewDiff.Frame f = next(line, view, withPatch);
        if (!withPatch) assertNull(f.delta().patch(), "seed " + seed + " tick " + tick);
        if (tick < 40 && rnd.nextInt(6) == 0) continue; // replaced by the next one before it was sent (conflated)
        JsonNode sent = Codec.MAPPER.readTree(wire.encode(new ServerMessage.State("r", tick, -1, f.full(), f.delta())).bytes());
        if (sent.has("patch")) {
          client = MergePatch.apply(client, sent.get("patch"));
          patchesSent++;
        } else {
          client = sent.get("state");
        }
        assertEquals(MergePatch.stripNulls(view), MergePatch.stripNulls(client), "seed " + seed + " tick " + tick);
      }
    }
    assertTrue(patchesSent > 1500, "patches sent: " + patchesSent);
  }

  private static ViewDiff.Frame next(ViewDiff line, JsonNode view, boolean withPatch) throws Exception {
    byte[] full = Codec.MAPPER.writeValueAsBytes(view);
    return withPatch ? line.next(full) : line.nextWithoutPatch(full);
  }
}
