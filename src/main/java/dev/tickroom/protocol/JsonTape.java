package dev.tickroom.protocol;

import java.util.Arrays;

/**
 * One JSON document indexed in place: the byte range of every value, in document order, in a few int arrays
 * that are reused from one document to the next. Building it allocates nothing per value (a Jackson tree
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

  private byte[] src;
  private int count;
  private byte[] kind = new byte[64];
  private int[] start = new int[64];
  private int[] end = new int[64];
  private int[] after = new int[64];
  private int[] keyStart = new int[64];
  private int[] keyEnd = new int[64];
  private int[] keyHash = new int[64];
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
    return kind[v];
  }

  int start(int v) {
    return start[v];
  }

  int end(int v) {
    return end[v];
  }

  /** The value after {@code v} and everything inside it: its next sibling, or past its container's last child. */
  int after(int v) {
    return after[v];
  }

  int keyStart(int member) {
    return keyStart[member];
  }

  int keyEnd(int member) {
    return keyEnd[member];
  }

  /**
   * The member of object {@code obj}, from member {@code from} on, whose key has the bytes of
   * {@code other}'s member {@code otherMember}; or -1.
   */
  int find(int obj, int from, JsonTape other, int otherMember) {
    for (int m = from; m < after[obj]; m = after[m]) {
      if (sameKey(m, other, otherMember)) return m;
    }
    return -1;
  }

  /** Whether member {@code m} has the same key bytes as {@code other}'s member {@code om}. */
  boolean sameKey(int m, JsonTape other, int om) {
    int ks = keyStart[m];
    int n = keyEnd[m] - ks;
    int oks = other.keyStart[om];
    if (keyHash[m] != other.keyHash[om] || other.keyEnd[om] - oks != n) return false;
    return same(src, ks, other.src, oks, n);
  }

  /** Whether value {@code v} has the same bytes as {@code other}'s value {@code w}. */
  boolean sameBytes(int v, JsonTape other, int w) {
    int s = start[v];
    int n = end[v] - s;
    int os = other.start[w];
    return other.end[w] - os == n && same(src, s, other.src, os, n);
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
    start[v] = pos;
    byte b = src[pos];
    switch (b) {
      case '{' -> {
        kind[v] = OBJECT;
        pos++;
        ws();
        if (peek() == '}') {
          pos++;
        } else {
          while (true) {
            if (peek() != '"') throw fail("a key is missing");
            int mks = pos;
            int mkh = string();
            int mke = pos;
            ws();
            expect(':');
            ws();
            value(mks, mke, mkh, depth + 1);
            ws();
            if (peek() == ',') {
              pos++;
              ws();
            } else {
              expect('}');
              break;
            }
          }
        }
      }
      case '[' -> {
        kind[v] = ARRAY;
        pos++;
        ws();
        if (peek() == ']') {
          pos++;
        } else {
          while (true) {
            value(-1, -1, 0, depth + 1);
            ws();
            if (peek() == ',') {
              pos++;
              ws();
            } else {
              expect(']');
              break;
            }
          }
        }
      }
      case '"' -> {
        kind[v] = STRING;
        skipString();
      }
      case 't' -> literal(v, TRUE, "true");
      case 'f' -> literal(v, FALSE, "false");
      case 'n' -> literal(v, NULL, "null");
      default -> {
        if (b != '-' && (b < '0' || b > '9')) throw fail("unexpected '" + (char) b + "'");
        kind[v] = NUMBER;
        pos++;
        while (pos < src.length && isNumberByte(src[pos])) pos++;
      }
    }
    end[v] = pos;
    after[v] = count;
  }

  private int add(int ks, int ke, int kh) {
    if (count == kind.length) {
      int n = count * 2;
      kind = Arrays.copyOf(kind, n);
      start = Arrays.copyOf(start, n);
      end = Arrays.copyOf(end, n);
      after = Arrays.copyOf(after, n);
      keyStart = Arrays.copyOf(keyStart, n);
      keyEnd = Arrays.copyOf(keyEnd, n);
      keyHash = Arrays.copyOf(keyHash, n);
    }
    keyStart[count] = ks;
    keyEnd[count] = ke;
    keyHash[count] = kh;
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
    kind[v] = k;
    pos += n;
  }

  private static boolean isNumberByte(byte b) {
    return (b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-';
  }

  private byte peek() {
    if (pos >= src.length) throw fail("unexpected end");
    return src[pos];
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
