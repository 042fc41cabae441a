package dev.tickroom.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code cbor} format of PROTOCOL.md ("Binary format"): JSON values as CBOR documents with a string table
 * per connection direction. Written here rather than with Jackson's CBOR module because the table (map keys
 * as integer references, tag 25 in value positions, additions shared by both ends across documents) is
 * beyond what a generic CBOR mapper exposes, and the browser client needs the same rules hand-written anyway.
 */
public final class Cbor {
  public static final int TABLE_MAX = 1024;
  public static final int STRING_MAX = 64;
  private static final int MAX_DEPTH = 256;
  private static final int TAG_STRINGREF = 25;
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Cbor() {}

  /** A malformed document. */
  public static final class MalformedException extends Exception {
    MalformedException(String message) {
      super(message, null, false, false);
    }
  }

  /** Whether a string joins the table (once it was sent as text and the table has room). */
  static boolean qualifies(int utf8Length, boolean key) {
    return utf8Length <= STRING_MAX && utf8Length >= (key ? 1 : 3);
  }

  // ------------------------------------------------------------------ encoding

  /** The sending end of one direction's table; not thread-safe. */
  public static final class Encoder {
    private final Map<String, Integer> table = new HashMap<>();
    private byte[] buf = new byte[256];
    private int len;

    /** One document. */
    public byte[] encode(JsonNode value) {
      len = 0;
      write(value, false);
      return Arrays.copyOf(buf, len);
    }

    /** One document preceded by its length as a CBOR unsigned integer head (TCP framing). */
    public byte[] encodeFramed(JsonNode value) {
      byte[] doc = encode(value);
      len = 0;
      head(0, doc.length);
      byte[] out = Arrays.copyOf(buf, len + doc.length);
      System.arraycopy(doc, 0, out, len, doc.length);
      return out;
    }

    public int tableSize() {
      return table.size();
    }

    private void write(JsonNode v, boolean key) {
      switch (v.getNodeType()) {
        case OBJECT -> {
          head(5, v.size());
          for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            string(e.getKey(), true);
            write(e.getValue(), false);
          }
        }
        case ARRAY -> {
          head(4, v.size());
          for (JsonNode e : v) write(e, false);
        }
        case STRING -> string(v.textValue(), false);
        case BOOLEAN -> put(v.booleanValue() ? 0xf5 : 0xf4);
        case NULL, MISSING -> put(0xf6);
        case NUMBER -> number(v);
        default -> put(0xf6); // binary and POJO nodes do not occur in protocol values
      }
    }

    private void number(JsonNode v) {
      if (v.isIntegralNumber()) {
        if (v.canConvertToLong()) {
          long n = v.longValue();
          if (n >= 0) head(0, n);
          else head(1, -1 - n);
          return;
        }
        BigInteger b = v.bigIntegerValue();
        BigInteger max = BigInteger.ONE.shiftLeft(64);
        if (b.signum() >= 0 && b.compareTo(max) < 0) {
          head(0, b.longValue());
          return;
        }
        BigInteger neg = b.negate().subtract(BigInteger.ONE);
        if (b.signum() < 0 && neg.compareTo(max) < 0) {
          head(1, neg.longValue());
          return;
        }
      }
      double d = v.doubleValue();
      float f = (float) d;
      if ((double) f == d || Double.isNaN(d)) {
        put(0xfa);
        int bits = Float.floatToIntBits(f);
        put(bits >>> 24);
        put(bits >>> 16);
        put(bits >>> 8);
        put(bits);
      } else {
        put(0xfb);
        long bits = Double.doubleToLongBits(d);
        for (int s = 56; s >= 0; s -= 8) put((int) (bits >>> s));
      }
    }

    private void string(String s, boolean key) {
      Integer ref = table.get(s);
      if (ref != null) {
        if (!key) {
          put(0xd8);
          put(TAG_STRINGREF);
        }
        head(0, ref);
        return;
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      head(3, b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      if (table.size() < TABLE_MAX && qualifies(b.length, key)) table.put(s, table.size());
    }

    /** A head in shortest form; {@code n} is read as unsigned. */
    private void head(int major, long n) {
      int m = major << 5;
      if (n >= 0 && n < 24) {
        put(m | (int) n);
      } else if (n >= 0 && n < 0x100) {
        put(m | 24);
        put((int) n);
      } else if (n >= 0 && n < 0x10000) {
        put(m | 25);
        put((int) (n >>> 8));
        put((int) n);
      } else if (n >= 0 && n < 0x100000000L) {
        put(m | 26);
        for (int s = 24; s >= 0; s -= 8) put((int) (n >>> s));
      } else {
        put(m | 27);
        for (int s = 56; s >= 0; s -= 8) put((int) (n >>> s));
      }
    }

    private void put(int b) {
      ensure(1);
      buf[len++] = (byte) b;
    }

    private void ensure(int n) {
      if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }
  }

  // ------------------------------------------------------------------ decoding

  /** The receiving end of one direction's table; not thread-safe. */
  public static final class Decoder {
    private final List<String> table = new ArrayList<>();
    private byte[] b;
    private int pos;
    private int end;

    /** One whole document from {@code buf[off, off+len)}; the table changes only if it is well-formed. */
    public JsonNode decode(byte[] buf, int off, int len) throws MalformedException {
      b = buf;
      pos = off;
      end = off + len;
      int committed = table.size();
      try {
        JsonNode v = read(0, false);
        if (pos != end) throw new MalformedException("bytes after the document");
        return v;
      } catch (MalformedException | RuntimeException e) {
        while (table.size() > committed) table.remove(table.size() - 1);
        if (e instanceof MalformedException m) throw m;
        throw new MalformedException("malformed document: " + e);
      } finally {
        b = null;
      }
    }

    public JsonNode decode(byte[] doc) throws MalformedException {
      return decode(doc, 0, doc.length);
    }

    public int tableSize() {
      return table.size();
    }

    private int next() throws MalformedException {
      if (pos >= end) throw new MalformedException("document ends early");
      return b[pos++] & 0xff;
    }

    /** The argument of a head whose initial byte was {@code ib}; unsigned, so it may be negative as a long. */
    private long arg(int ib) throws MalformedException {
      int ai = ib & 0x1f;
      if (ai < 24) return ai;
      int n = switch (ai) {
        case 24 -> 1;
        case 25 -> 2;
        case 26 -> 4;
        case 27 -> 8;
        default -> throw new MalformedException("indefinite or reserved length");
      };
      long v = 0;
      for (int i = 0; i < n; i++) v = (v << 8) | next();
      return v;
    }

    private int count(long n, int minBytesEach) throws MalformedException {
      if (n < 0 || n > (end - pos) / Math.max(1, minBytesEach)) throw new MalformedException("length beyond the document");
      return (int) n;
    }

    private JsonNode read(int depth, boolean key) throws MalformedException {
      if (depth > MAX_DEPTH) throw new MalformedException("nested too deep");
      int ib = next();
      int major = ib >>> 5;
      switch (major) {
        case 0: {
          long n = arg(ib);
          if (key) return F.textNode(ref(n));
          if (n >= 0) return n <= Integer.MAX_VALUE ? F.numberNode((int) n) : F.numberNode(n);
          return F.numberNode(new BigInteger(Long.toUnsignedString(n)));
        }
        case 1: {
          if (key) throw new MalformedException("a map key must be a string or a string reference");
          long n = arg(ib);
          if (n >= 0) {
            long v = -1 - n;
            return v >= Integer.MIN_VALUE ? F.numberNode((int) v) : F.numberNode(v);
          }
          return F.numberNode(BigInteger.ONE.negate().subtract(new BigInteger(Long.toUnsignedString(n))));
        }
        case 3: {
          int n = count(arg(ib), 1);
          String s;
          try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, pos, n)).toString();
          } catch (CharacterCodingException e) {
            throw new MalformedException("a text string is not valid UTF-8");
          }
          pos += n;
          if (table.size() < TABLE_MAX && qualifies(n, key)) table.add(s);
          return F.textNode(s);
        }
        case 4: {
          if (key) throw new MalformedException("a map key must be a string or a string reference");
          int n = count(arg(ib), 1);
          ArrayNode a = F.arrayNode(n);
          for (int i = 0; i < n; i++) a.add(read(depth + 1, false));
          return a;
        }
        case 5: {
          if (key) throw new MalformedException("a map key must be a string or a string reference");
          int n = count(arg(ib), 2);
          ObjectNode o = F.objectNode();
          for (int i = 0; i < n; i++) {
            String k = read(depth + 1, true).textValue();
            o.set(k, read(depth + 1, false));
          }
          return o;
        }
        case 6: {
          long tag = arg(ib);
          if (tag != TAG_STRINGREF) throw new MalformedException("tag " + Long.toUnsignedString(tag) + " is not used");
          int rb = next();
          if (rb >>> 5 != 0) throw new MalformedException("tag 25 must hold an unsigned integer");
          return F.textNode(ref(arg(rb)));
        }
        case 7: {
          if (key) throw new MalformedException("a map key must be a string or a string reference");
          int ai = ib & 0x1f;
          switch (ai) {
            case 20: return F.booleanNode(false);
            case 21: return F.booleanNode(true);
            case 22: return F.nullNode();
            case 25: return F.numberNode(halfToDouble((next() << 8) | next()));
            case 26: {
              int bits = (int) arg(ib);
              return F.numberNode((double) Float.intBitsToFloat(bits));
            }
            case 27: return F.numberNode(Double.longBitsToDouble(arg(ib)));
            default: throw new MalformedException("simple value " + ai + " is not used");
          }
        }
        default:
          throw new MalformedException("byte strings are not used");
      }
    }

    private String ref(long n) throws MalformedException {
      if (n < 0 || n >= table.size()) throw new MalformedException("string reference " + Long.toUnsignedString(n) + " is not in the table");
      return table.get((int) n);
    }
  }

  /** IEEE 754 half precision to double (RFC 8949, appendix D). */
  static double halfToDouble(int half) {
    int exp = (half >> 10) & 0x1f;
    int mant = half & 0x3ff;
    double val;
    if (exp == 0) val = Math.scalb((double) mant, -24);
    else if (exp != 31) val = Math.scalb((double) (mant + 1024), exp - 25);
    else val = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    return (half & 0x8000) != 0 ? -val : val;
  }

  /**
   * Reads the length head of a TCP frame at {@code buf[off, off+len)}: returns {@code {headBytes, length}},
   * or null while the head is incomplete; a head that is not an unsigned integer gives length -1.
   */
  public static long[] frameHead(byte[] buf, int off, int len) {
    if (len < 1) return null;
    int ib = buf[off] & 0xff;
    if (ib >>> 5 != 0) return new long[] {1, -1};
    int ai = ib & 0x1f;
    if (ai < 24) return new long[] {1, ai};
    int n = switch (ai) {
      case 24 -> 1;
      case 25 -> 2;
      case 26 -> 4;
      case 27 -> 8;
      default -> -1;
    };
    if (n < 0) return new long[] {1, -1};
    if (len < 1 + n) return null;
    long v = 0;
    for (int i = 1; i <= n; i++) v = (v << 8) | (buf[off + i] & 0xff);
    return new long[] {1 + n, v < 0 ? Long.MAX_VALUE : v};
  }
}
