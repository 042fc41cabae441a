package dev.tickroom.loadtest;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/** One simulated client: its channel, handshake phase, pending output and per-connection figures. */
final class Conn {
  /** Arena: how many sent-but-unacknowledged inputs are remembered (12.8 s at 20 inputs/s). */
  static final int HISTORY = 256;
  private static final int HISTORY_MASK = HISTORY - 1;

  enum Phase { CONNECTING, HELLO_SENT, JOIN_SENT, READY }

  /** Client number k: name {@code bot-k}. */
  final int client;
  final SocketChannel channel;
  SelectionKey key;
  Phase phase = Phase.CONNECTING;
  boolean closed;

  /** Output in write mode (position = end of pending bytes). */
  ByteBuffer out = ByteBuffer.allocate(512);
  boolean dirty;
  boolean writeInterest;

  /** cbor format: this client's string tables; {@code cborIn} once the server's welcome was read. */
  dev.tickroom.protocol.Cbor.Encoder encoder;
  dev.tickroom.protocol.Cbor.Decoder decoder;
  boolean cborIn;

  /** The start of an incomplete line (or CBOR document) left over from the last read. */
  byte[] carry;
  int carryLen;

  // arena: input history for latency, tick tracking
  long nextSeq = 1;
  long firstUnacked = 1;
  final long[] sentAt;
  long lastStateAt;
  long lastTick = Long.MIN_VALUE;

  Conn(int client, SocketChannel channel, boolean arena) {
    this.client = client;
    this.channel = channel;
    this.sentAt = arena ? new long[HISTORY] : null;
  }

  long sentAt(long seq) {
    return sentAt[(int) (seq & HISTORY_MASK)];
  }

  void sentAt(long seq, long nanos) {
    sentAt[(int) (seq & HISTORY_MASK)] = nanos;
  }

  /** Makes room for {@code n} more output bytes. */
  ByteBuffer reserve(int n) {
    if (out.remaining() < n) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + n));
      out.flip();
      bigger.put(out);
      out = bigger;
    }
    return out;
  }

  void put(byte[] ascii) {
    reserve(ascii.length).put(ascii);
  }

  /** Appends the decimal digits of {@code v}. */
  void putLong(long v) {
    ByteBuffer o = reserve(20);
    if (v < 0) {
      if (v == Long.MIN_VALUE) {
        o.put(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
        return;
      }
      o.put((byte) '-');
      v = -v;
    }
    if (v == 0) {
      o.put((byte) '0');
      return;
    }
    int start = o.position();
    while (v > 0) {
      o.put((byte) ('0' + (int) (v % 10)));
      v /= 10;
    }
    // digits were written least significant first
    for (int i = start, j = o.position() - 1; i < j; i++, j--) {
      byte tmp = o.get(i);
      o.put(i, o.get(j));
      o.put(j, tmp);
    }
  }
}
