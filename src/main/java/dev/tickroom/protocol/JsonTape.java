package dev.tickroom.protocol;

import java.util.Arrays;

/**
 * One JSON document indexed in place: the byte range of every value, in document order, in an int array that
 * is reused from one document to the next. Building it allocates nothing per value (a Jackson tree
 * allocates a node per value and a map per object), which is what lets {@link MergePatch#diff} run on every
 * tick of every room at about the cost of reading the bytes once.
 *
 * <p>Values are numbered in document order: a container is followed by its children, each child by its own
 * children, and {@link #after} jumps over a whole value. An object's members carry their key's raw bytes
 * (quotes and escapes included), so two keys written by the same writer are equal exactly when their bytes
 * are. Meant for documents this server wrote itself (a game's view through {@link Codec#writeJson}); it checks
 * the syntax as far as it needs to find the ranges and throws {@link IllegalArgumentException} on anything
 * else. Not thread-safe.
 */
final class JsonTape {
  static final byte OBJECT = 1, ARRAY = 2, STRING = 3, NUMBER = 4, TRUE = 5, FALSE = 6, NULL = 7;
  private static final int MAX_DEPTH = 1000; // as deep as Jackson reads by default

  // one record of 8 ints per value, all in one array (JMH showed no difference from one array per field,
  // with 100 rooms' lines interleaved; one array is less to grow)
  private static final int KIND = 0, START = 1, END = 2, AFTER = 3, KEY_START = 4, KEY_END = 5, KEY_HASH = 6;
  private static final int SHIFT = 3;

  private byte[] src;
  private int count;
  private int[] t = new int[64 << SHIFT];
  private int pos;

  /** Indexes {@code json}, forgetting the document before; the bytes are kept (not copied), not changed. */
  void parse(byte[] json) {
    src = json;
    count = 0;
    pos = 0;
    ws();
    value(-1, -1, 0, 0);
    ws();
    if (pos != json.length) throw fail("trailing bytes");
  }

  /** Forgets the document: {@link #holds} is false until the next {@link #parse}. */
  void clear() {
    src = null;
    count = 0;
  }

  boolean holds() {
    return src != null;
  }

  byte[] bytes() {
    return src;
  }

  byte kind(int v) {
    return (byte) t[(v << SHIFT) + KIND];
  }

  int start(int v) {
    return t[(v << SHIFT) + START];
  }

  int end(int v) {
    return t[(v << SHIFT) + END];
  }

  /** The value after {@code v} and everything inside it: its next sibling, or past its container's last child. */
  int after(int v) {
    return t[(v << SHIFT) + AFTER];
  }

  int keyStart(int member) {
    return t[(member << SHIFT) + KEY_START];
  }

  int keyEnd(int member) {
    return t[(member << SHIFT) + KEY_END];
  }

  private int keyHash(int member) {
    return t[(member << SHIFT) + KEY_HASH];
  }

  /**
   * The member of object {@code obj}, from member {@code from} on, whose key has the bytes of
   * {@code other}'s member {@code otherMember}; or -1. {@code index} is null (a scan, for a few members) or
   * what {@link #index} made for the same object and {@code from}.
   */
  int find(int obj, int from, int[] index, JsonTape other, int otherMember) {
    if (index == null) {
      for (int m = from, end = after(obj); m < end; m = after(m)) {
        if (sameKey(m, other, otherMember)) return m;
      }
      return -1;
    }
    int mask = index.length - 1;
    for (int i = other.keyHash(otherMember) & mask; index[i] != 0; i = (i + 1) & mask) {
      int m = index[i] - 1;
      if (sameKey(m, other, otherMember)) return m;
    }
    return -1;
  }

  /**
   * A hash index of the members of object {@code obj} from member {@code from} on, for {@link #find}; null
   * when there are so few that a scan is cheaper. So a big map whose keys moved (one inserted at its start)
   * costs a lookup per key, not a scan per key.
   */
  int[] index(int obj, int from) {
    int n = 0;
    int end = after(obj);
    for (int m = from; m < end; m = after(m)) n++;
    if (n <= 8) return null;
    int[] index = new int[Integer.highestOneBit(n * 2 - 1) << 1];
    int mask = index.length - 1;
    for (int m = from; m < end; m = after(m)) {
      int i = keyHash(m) & mask;
      while (index[i] != 0) i = (i + 1) & mask;
      index[i] = m + 1;
    }
    return index;
  }

  /** Whether member {@code m} has the same key bytes as {@code other}'s member {@code om}. */
  boolean sameKey(int m, JsonTape other, int om) {
    int r = m << SHIFT;
    int or = om << SHIFT;
    int[] ot = other.t;
    int ks = t[r + KEY_START];
    int n = t[r + KEY_END] - ks;
    int oks = ot[or + KEY_START];
    if (t[r + KEY_HASH] != ot[or + KEY_HASH] || ot[or + KEY_END] - oks != n) return false;
    return same(src, ks, other.src, oks, n);
  }

  /** Whether value {@code v} has the same bytes as {@code other}'s value {@code w}. */
  boolean sameBytes(int v, JsonTape other, int w) {
    int s = start(v);
    int n = end(v) - s;
    int os = other.start(w);
    return other.end(w) - os == n && same(src, s, other.src, os, n);
  }

  private static boolean same(byte[] a, int ai, byte[] b, int bi, int n) {
    if (n > 16) return Arrays.equals(a, ai, ai + n, b, bi, bi + n);
    for (int i = 0; i < n; i++) {
      if (a[ai + i] != b[bi + i]) return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ parsing

  private void value(int ks, int ke, int kh, int depth) {
    if (depth > MAX_DEPTH) throw fail("nested deeper than " + MAX_DEPTH);
    if (pos >= src.length) throw fail("a value is missing");
    int v = add(ks, ke, kh);
    int r = v << SHIFT;
    t[r + START] = pos;
    byte b = src[pos];
    switch (b) {
      case '{' -> {
        t[r + KIND] = OBJECT;
        pos++;
        ws();
        if (peek() == '}') {
          pos++;
        } else {
          do {
            if (peek() != '"') throw fail("a key is missing");
            int mks = pos;
            int mkh = string();
            int mke = pos;
            ws();
            expect(':');
            ws();
            value(mks, mke, mkh, depth + 1);
          } while (more('}'));
        }
      }
      case '[' -> {
        t[r + KIND] = ARRAY;
        pos++;
        ws();
        if (peek() == ']') {
          pos++;
        } else {
          do {
            value(-1, -1, 0, depth + 1);
          } while (more(']'));
        }
      }
      case '"' -> {
        t[r + KIND] = STRING;
        skipString();
      }
      case 't' -> literal(v, TRUE, "true");
      case 'f' -> literal(v, FALSE, "false");
      case 'n' -> literal(v, NULL, "null");
      default -> {
        if (b != '-' && (b < '0' || b > '9')) throw fail("unexpected '" + (char) b + "'");
        t[r + KIND] = NUMBER;
        pos++;
        while (pos < src.length && isNumberByte(src[pos])) pos++;
      }
    }
    t[r + END] = pos;
    t[r + AFTER] = count;
  }

  private int add(int ks, int ke, int kh) {
    int r = count << SHIFT;
    if (r == t.length) t = Arrays.copyOf(t, t.length * 2);
    t[r + KEY_START] = ks;
    t[r + KEY_END] = ke;
    t[r + KEY_HASH] = kh;
    return count++;
  }

  private void skipString() {
    pos++; // the opening quote
    while (true) {
      if (pos >= src.length) throw fail("a string does not end");
      byte b = src[pos++];
      if (b == '"') return;
      if (b == '\\') pos++;
    }
  }

  /** Skips a string (a key), quotes included; returns a hash of its raw bytes. */
  private int string() {
    pos++; // the opening quote
    int h = 1;
    while (true) {
      if (pos >= src.length) throw fail("a string does not end");
      byte b = src[pos++];
      if (b == '"') return h;
      h = 31 * h + b;
      if (b == '\\') {
        if (pos >= src.length) throw fail("a string does not end");
        h = 31 * h + src[pos++];
      }
    }
  }

  private void literal(int v, byte k, String word) {
    int n = word.length();
    if (pos + n > src.length) throw fail("unexpected end");
    for (int i = 0; i < n; i++) {
      if (src[pos + i] != word.charAt(i)) throw fail("unexpected '" + (char) src[pos] + "'");
    }
    t[(v << SHIFT) + KIND] = k;
    pos += n;
  }

  private static boolean isNumberByte(byte b) {
    return (b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-';
  }

  private byte peek() {
    if (pos >= src.length) throw fail("unexpected end");
    return src[pos];
  }

  /** After a member or element: true past a comma (another follows), false past {@code close} (the end). */
  private boolean more(char close) {
    ws();
    if (peek() == ',') {
      pos++;
      ws();
      return true;
    }
    expect(close);
    return false;
  }

  private void expect(char c) {
    if (peek() != c) throw fail("expected '" + c + "'");
    pos++;
  }

  private void ws() {
    while (pos < src.length && (src[pos] == ' ' || src[pos] == '\n' || src[pos] == '\r' || src[pos] == '\t')) pos++;
  }

  private IllegalArgumentException fail(String what) {
    return new IllegalArgumentException("not JSON at byte " + pos + ": " + what);
  }
}
