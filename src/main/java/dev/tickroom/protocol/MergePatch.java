package dev.tickroom.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 7386 JSON merge patches: {@link #diff} makes the patch that turns one view into the next, {@link #apply}
 * applies one (the server never does: it is the clients' half, kept here as the reference the tests hold
 * the diff to). A merge patch cannot set a member to null (null means "remove"), so the protocol's null rule
 * holds: under {@code patch} a member of an object whose value is null is absent ({@link #stripNulls}). Arrays
 * are values: a changed array is sent whole, and nulls inside arrays are kept as they are.
 */
public final class MergePatch {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private MergePatch() {}

  /**
   * The merge patch from {@code prev} to {@code next}, as JSON bytes, computed on the two documents' bytes
   * (no tree): applying it to {@code prev} gives {@code stripNulls(next)} as far as members outside arrays go
   * (see the class comment). A member is in the patch when its value's bytes changed, so both documents must
   * come from the same writer (a view written twice the same way has the same bytes). {@code prev} may hold
   * no document: the patch is then the whole of {@code next}, nulls stripped. {@code out} is a scratch
   * buffer the caller may reuse.
   */
  static byte[] diff(JsonTape prev, JsonTape next, Buffer out) {
    out.reset();
    if (next.kind(0) != JsonTape.OBJECT) {
      out.copy(next.bytes(), next.start(0), next.end(0));
    } else if (!prev.holds() || prev.kind(0) != JsonTape.OBJECT) {
      writeStripped(next, 0, out);
    } else {
      out.put('{');
      diffMembers(prev, 0, next, 0, out);
      out.put('}');
    }
    return out.toArray();
  }

  /**
   * Writes the members that differ between two objects; returns whether it wrote any. Views keep their keys
   * in the same order from one tick to the next, so the members are paired in order while their keys match;
   * from the first that does not, each key is looked up among the rest (keys are unique in an object, so
   * the ones paired already cannot be among them), through a hash index when there are more than a few.
   */
  private static boolean diffMembers(JsonTape prev, int p, JsonTape next, int n, Buffer out) {
    boolean any = false;
    int pm = p + 1;
    int nm = n + 1;
    for (; pm < prev.after(p) && nm < next.after(n) && next.sameKey(nm, prev, pm); pm = prev.after(pm), nm = next.after(nm)) {
      any |= diffMember(prev, pm, next, nm, out);
    }
    if (pm == prev.after(p) && nm == next.after(n)) return any;
    int[] prevIndex = prev.index(p, pm);
    int[] nextIndex = next.index(n, nm);
    int prevRest = pm;
    int nextRest = nm;
    for (; pm < prev.after(p); pm = prev.after(pm)) {
      if (prev.kind(pm) == JsonTape.NULL) continue; // absent for the client already
      // gone from the next object; one that became null there is written by the loop below, once
      if (next.find(n, nextRest, nextIndex, prev, pm) < 0) {
        key(prev, pm, out);
        out.copy(NULL);
        any = true;
      }
    }
    for (; nm < next.after(n); nm = next.after(nm)) {
      any |= diffMember(prev, prev.find(p, prevRest, prevIndex, next, nm), next, nm, out);
    }
    return any;
  }

  /**
   * Writes what turns member {@code pm} of the previous object (-1: none) into member {@code nm} of the
   * next one with the same key; returns whether it wrote anything.
   */
  private static boolean diffMember(JsonTape prev, int pm, JsonTape next, int nm, Buffer out) {
    byte k = next.kind(nm);
    boolean prevAbsent = pm < 0 || prev.kind(pm) == JsonTape.NULL;
    if (k == JsonTape.NULL) {
      if (prevAbsent) return false;
      key(prev, pm, out);
      out.copy(NULL);
      return true;
    }
    if (prevAbsent) {
      key(next, nm, out);
      writeStripped(next, nm, out);
      return true;
    }
    if (next.sameBytes(nm, prev, pm)) return false;
    if (k == JsonTape.OBJECT && prev.kind(pm) == JsonTape.OBJECT) {
      int mark = out.length();
      key(next, nm, out);
      out.put('{');
      if (diffMembers(prev, pm, next, nm, out)) {
        out.put('}');
        return true;
      }
      out.truncate(mark); // equal apart from nulls: nothing to send
      return false;
    }
    key(next, nm, out);
    writeStripped(next, nm, out);
    return true;
  }

  private static final byte[] NULL = "null".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** A member's key and colon, after a comma unless it is its object's first. */
  private static void key(JsonTape t, int member, Buffer out) {
    if (out.last() != '{') out.put(',');
    out.copy(t.bytes(), t.keyStart(member), t.keyEnd(member));
    out.put(':');
  }

  /** A value as a patch client holds it: object members whose value is null left out (not inside arrays). */
  private static void writeStripped(JsonTape t, int v, Buffer out) {
    if (t.kind(v) != JsonTape.OBJECT) {
      out.copy(t.bytes(), t.start(v), t.end(v));
      return;
    }
    out.put('{');
    for (int m = v + 1; m < t.after(v); m = t.after(m)) {
      if (t.kind(m) == JsonTape.NULL) continue;
      key(t, m, out);
      writeStripped(t, m, out);
    }
    out.put('}');
  }

  /** A growable byte buffer, reused from one patch to the next. */
  static final class Buffer {
    private byte[] buf = new byte[1024];
    private int len;

    void reset() {
      len = 0;
    }

    int length() {
      return len;
    }

    void truncate(int length) {
      len = length;
    }

    byte last() {
      return len == 0 ? 0 : buf[len - 1];
    }

    void put(char c) {
      room(1);
      buf[len++] = (byte) c;
    }

    void copy(byte[] b) {
      copy(b, 0, b.length);
    }

    void copy(byte[] b, int from, int to) {
      int n = to - from;
      room(n);
      System.arraycopy(b, from, buf, len, n);
      len += n;
    }

    byte[] toArray() {
      return Arrays.copyOf(buf, len);
    }

    private void room(int n) {
      if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  /**
   * RFC 7386 MergePatch(target, patch); {@code target} may be null (absent). Returns a new tree and never
   * changes its arguments (parts of them may be shared by the result).
   */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) return patch;
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : F.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) result.remove(e.getKey());
      else result.set(e.getKey(), apply(result.get(e.getKey()), e.getValue()));
    }
    return result;
  }

  /** The value as a patch client holds it: object members whose value is null removed (not inside arrays). */
  public static JsonNode stripNulls(JsonNode value) {
    if (!value.isObject()) return value;
    boolean clean = true;
    for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
      JsonNode v = it.next();
      if (v.isNull() || v.isObject()) {
        clean = false;
        break;
      }
    }
    if (clean) return value;
    ObjectNode out = F.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNull()) out.set(e.getKey(), stripNulls(e.getValue()));
    }
    return out;
  }
}
