package dev.tickroom.loadtest;

/**
 * A tiny scanner for server lines: reads only the top-level fields the load generator needs ({@code type},
 * {@code ack}, {@code tick}, {@code t}, {@code code}) and skips every other value without interpreting it.
 * It stops as soon as the fields needed for the line's type are known, so a {@code state} line whose
 * {@code tick}/{@code ack} come before the game state is read only up to them. It is not a validator: text
 * after the fields of interest is not looked at.
 *
 * <p>One instance per I/O thread; {@link #scan} overwrites the public result fields.
 */
final class LineScanner {
  static final int NONE = 0;
  static final int STATE = 1;
  static final int PONG = 2;
  static final int WELCOME = 3;
  static final int JOINED = 4;
  static final int ERROR = 5;
  static final int OTHER = 6;

  private static final int K_OTHER = 0;
  private static final int K_TYPE = 1;
  private static final int K_ACK = 2;
  private static final int K_TICK = 3;
  private static final int K_T = 4;
  private static final int K_CODE = 5;

  /** The message type, one of the constants above; {@link #NONE} when no string {@code type} was found. */
  int type;
  boolean hasAck;
  long ack;
  boolean hasTick;
  long tick;
  /** Whether {@code t} was an integer that fits a long (pongs of this tool's own pings always are). */
  boolean hasT;
  long t;
  /** Bounds of the raw (unescaped) text of an error's {@code code} string; {@code codeFrom < 0} if absent. */
  int codeFrom;
  int codeTo;

  private byte[] b;
  private int p;
  private int end;

  /**
   * Scans the line {@code buf[from, to)} (without its terminator).
   *
   * @return false when the line does not start as a JSON object with well-formed fields up to the point
   *     where scanning stopped, or has no {@code type}
   */
  boolean scan(byte[] buf, int from, int to) {
    type = NONE;
    hasAck = hasTick = hasT = false;
    ack = tick = t = 0;
    codeFrom = -1;
    codeTo = -1;
    b = buf;
    p = from;
    end = to;
    try {
      return object();
    } finally {
      b = null;
    }
  }

  private boolean object() {
    ws();
    if (p >= end || b[p] != '{') return false;
    p++;
    ws();
    if (p < end && b[p] == '}') return false;
    while (true) {
      ws();
      if (p >= end || b[p] != '"') return false;
      int keyFrom = p + 1;
      if (!skipString()) return false;
      int key = key(keyFrom, p - 1);
      ws();
      if (p >= end || b[p] != ':') return false;
      p++;
      ws();
      if (p >= end) return false;
      if (!value(key)) return false;
      if (complete()) return true;
      ws();
      if (p >= end) return false;
      byte c = b[p++];
      if (c == '}') return type != NONE;
      if (c != ',') return false;
    }
  }

  private boolean value(int key) {
    switch (key) {
      case K_TYPE:
        if (b[p] != '"') return skipValue();
        int from = p + 1;
        if (!skipString()) return false;
        type = typeOf(from, p - 1);
        return true;
      case K_CODE:
        if (b[p] != '"') return skipValue();
        codeFrom = p + 1;
        if (!skipString()) return false;
        codeTo = p - 1;
        return true;
      case K_ACK:
      case K_TICK:
      case K_T:
        return integer(key);
      default:
        return skipValue();
    }
  }

  /** True once everything this line's type needs has been read. */
  private boolean complete() {
    switch (type) {
      case NONE:
        return false;
      case STATE:
        return hasAck && hasTick;
      case PONG:
        return hasT;
      case ERROR:
        return codeFrom >= 0;
      default:
        return true;
    }
  }

  /** Reads a number into the field for {@code key} when it is an integer that fits a long; else skips it. */
  private boolean integer(int key) {
    int start = p;
    boolean negative = false;
    if (b[p] == '-') {
      negative = true;
      p++;
    }
    long v = 0;
    int digits = 0;
    while (p < end && b[p] >= '0' && b[p] <= '9') {
      v = v * 10 + (b[p] - '0');
      digits++;
      p++;
    }
    boolean integral = digits > 0 && digits <= 18
        && (p >= end || (b[p] != '.' && b[p] != 'e' && b[p] != 'E'));
    if (!integral) {
      p = start;
      return skipValue();
    }
    v = negative ? -v : v;
    switch (key) {
      case K_ACK -> {
        hasAck = true;
        ack = v;
      }
      case K_TICK -> {
        hasTick = true;
        tick = v;
      }
      default -> {
        hasT = true;
        t = v;
      }
    }
    return true;
  }

  /** Skips one JSON value of any kind. Nested containers are matched bracket-wise, strings escape-aware. */
  private boolean skipValue() {
    byte c = b[p];
    if (c == '"') return skipString();
    if (c == '{' || c == '[') {
      int depth = 0;
      while (p < end) {
        c = b[p];
        if (c == '"') {
          if (!skipString()) return false;
          continue;
        }
        if (c == '{' || c == '[') {
          depth++;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) {
            p++;
            return true;
          }
        }
        p++;
      }
      return false;
    }
    int start = p;
    while (p < end) {
      c = b[p];
      if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n') break;
      p++;
    }
    return p > start;
  }

  /** With {@code p} on an opening quote, moves {@code p} past the closing one. */
  private boolean skipString() {
    p++;
    while (p < end) {
      byte c = b[p++];
      if (c == '"') return true;
      if (c == '\\') p++;
    }
    return false;
  }

  private void ws() {
    while (p < end) {
      byte c = b[p];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
      p++;
    }
  }

  private int key(int from, int to) {
    switch (to - from) {
      case 1:
        return b[from] == 't' ? K_T : K_OTHER;
      case 3:
        return is(from, to, "ack") ? K_ACK : K_OTHER;
      case 4:
        if (is(from, to, "type")) return K_TYPE;
        if (is(from, to, "tick")) return K_TICK;
        return is(from, to, "code") ? K_CODE : K_OTHER;
      default:
        return K_OTHER;
    }
  }

  private int typeOf(int from, int to) {
    if (is(from, to, "state")) return STATE;
    if (is(from, to, "pong")) return PONG;
    if (is(from, to, "error")) return ERROR;
    if (is(from, to, "welcome")) return WELCOME;
    if (is(from, to, "joined")) return JOINED;
    return OTHER;
  }

  private boolean is(int from, int to, String ascii) {
    if (to - from != ascii.length()) return false;
    for (int i = 0; i < ascii.length(); i++) {
      if (b[from + i] != ascii.charAt(i)) return false;
    }
    return true;
  }
}
