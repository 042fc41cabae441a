package dev.tickroom.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import dev.tickroom.protocol.Cbor;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One selector thread driving a share of the simulated clients: client numbers {@code index},
 * {@code index + threads}, ... It opens them on the ramp-up schedule, runs each one's handshake, sends its
 * traffic (arena inputs from a 50-slot timing wheel, echo pings on each pong, lobby pings from a 100-slot wheel
 * over the ping interval), reads and scans what comes back
 * and records figures into {@link Stats}. Output produced during one loop iteration is written with one
 * {@code write} per connection at the end of the iteration.
 */
final class IoLoop implements Runnable {
  /** Shared read buffer: room for a maximal line plus plenty of whole lines. */
  static final int READ_BUFFER = 256 * 1024;
  /** Longest line accepted (64 KiB + "\r"), see PROTOCOL.md "Framing". */
  static final int MAX_LINE = 65_536 + 1;
  /** Arena: the input period is 50 ms; the wheel has one slot per millisecond of it. */
  private static final int ARENA_SLOTS = 50;
  /** Lobby: the ping interval is split into this many slots. */
  private static final int LOBBY_SLOTS = 100;
  private static final long MS = 1_000_000L;
  /** At most this many connection attempts per loop iteration, to keep reading while ramping up. */
  private static final int CONNECTS_PER_ITERATION = 256;

  private static final byte[] HELLO = ascii("{\"type\":\"hello\",\"name\":\"bot-");
  private static final byte[] HELLO_END = ascii("\"}\n");
  private static final byte[] JOIN = ascii("{\"type\":\"join\",\"room\":\"bench-");
  private static final byte[] JOIN_END = ascii("\",\"game\":\"arena\"}\n");
  private static final byte[] INPUT = ascii("{\"type\":\"input\",\"seq\":");
  private static final byte[] INPUT_DX = ascii(",\"data\":{\"dx\":");
  private static final byte[] INPUT_DY = ascii(",\"dy\":");
  private static final byte[] INPUT_END = ascii("}}\n");
  private static final byte[] PING = ascii("{\"type\":\"ping\",\"t\":");
  private static final byte[] PING_END = ascii("}\n");

  /** Run-wide constants shared by all loops; times are {@link System#nanoTime()} values. */
  record Plan(Options options, InetSocketAddress target, long base, long windowStart, long windowEnd) {
    /** When client {@code k} is due to connect. */
    long connectAt(int k) {
      return base + (long) (k * 1e9 / options.rampPerSecond());
    }

    boolean inWindow(long now) {
      return now - windowStart >= 0 && now - windowEnd < 0;
    }
  }

  private final int index;
  private final int threads;
  private final Plan plan;
  private final Stats stats;
  private final boolean arena;
  private final boolean lobby;
  private final int total;
  private final int playersPerRoom;
  private final int inFlight;
  private final Selector selector;
  private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER);
  private final LineScanner scanner = new LineScanner();
  private final List<Conn> dirty = new ArrayList<>();
  /** Clients with periodic traffic (arena inputs, lobby pings), by slot: client k is in slot k % slots. */
  private final List<List<Conn>> wheel = new ArrayList<>();
  private final int slots;
  private final long slotNanos;
  private final SplittableRandom random;
  private volatile boolean stopping;

  private int nextClient;
  private int playing;
  private long lastSlot = Long.MIN_VALUE;
  private long deliveredLocal;
  private long deliveredInWindowLocal;
  private long bytesInWindowLocal;
  /** The end of each hello: the sync and format the clients ask for. */
  private final byte[] helloEnd;
  private final boolean cbor;

  IoLoop(int index, int threads, Plan plan, Stats stats) throws IOException {
    this.index = index;
    this.threads = threads;
    this.plan = plan;
    Options opts = plan.options();
    this.cbor = "cbor".equals(opts.format());
    this.helloEnd = ascii(("full".equals(opts.sync()) ? "" : "\",\"sync\":\"" + opts.sync())
        + (cbor ? "\",\"format\":\"cbor" : "") + "\"}\n");
    this.stats = stats;
    Options o = plan.options();
    this.arena = o.scenario() == Scenario.ARENA;
    this.lobby = o.scenario() == Scenario.LOBBY;
    this.total = o.totalClients();
    this.playersPerRoom = o.playersPerRoom();
    this.inFlight = o.inFlight();
    this.selector = Selector.open();
    this.random = new SplittableRandom(0x7a11c0deL + index);
    this.nextClient = index;
    this.slots = lobby ? LOBBY_SLOTS : ARENA_SLOTS;
    this.slotNanos = lobby ? Math.max(1, Math.round(o.pingIntervalSeconds() * 1e9 / LOBBY_SLOTS)) : MS;
    for (int i = 0; i < slots; i++) wheel.add(new ArrayList<>());
  }

  /** Asks the loop to close its connections and return. */
  void stop() {
    stopping = true;
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      while (!stopping) {
        long now = System.nanoTime();
        openDue(now);
        if (arena || lobby) sendDue(now);
        flushDirty();
        long waitMs = waitMillis(System.nanoTime());
        if (waitMs <= 0) {
          selector.selectNow(this::handle);
        } else {
          selector.select(this::handle, waitMs);
        }
        flushDirty();
        publish();
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("loadtest: I/O thread " + index + " failed: " + e);
    } finally {
      publish();
      closeAll();
    }
  }

  // ------------------------------------------------------------------ scheduling

  private long waitMillis(long now) {
    long wait = 100;
    if (playing > 0) wait = Math.max(1, Math.min(wait, slotNanos / MS));
    if (nextClient < total) {
      long untilConnect = plan.connectAt(nextClient) - now;
      wait = Math.min(wait, untilConnect <= 0 ? 0 : Math.max(1, untilConnect / MS));
    }
    return wait;
  }

  private void openDue(long now) {
    for (int n = 0; n < CONNECTS_PER_ITERATION && nextClient < total; n++) {
      if (plan.connectAt(nextClient) - now > 0) return;
      open(nextClient);
      nextClient += threads;
    }
  }

  private void open(int client) {
    stats.attempted.increment();
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open();
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      Conn c = new Conn(client, ch, arena);
      boolean connected = ch.connect(plan.target());
      c.key = ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
      if (connected) onConnected(c);
    } catch (IOException e) {
      connectFailed(e);
      closeQuietly(ch);
    }
  }

  /**
   * Sends one arena input, or one lobby ping, for every ready client whose wheel slot came up since the
   * last call.
   */
  private void sendDue(long now) {
    long current = (now - plan.base()) / slotNanos;
    long from = Math.max(lastSlot + 1, current - slots + 1);
    for (long m = from; m <= current; m++) {
      List<Conn> slot = wheel.get((int) Math.floorMod(m, (long) slots));
      for (int i = 0; i < slot.size(); ) {
        Conn c = slot.get(i);
        if (c.closed) {
          slot.set(i, slot.get(slot.size() - 1));
          slot.remove(slot.size() - 1);
          continue;
        }
        if (arena) sendInput(c, now);
        else sendPing(c, now);
        i++;
      }
    }
    lastSlot = current;
  }

  // ------------------------------------------------------------------ events

  private void handle(SelectionKey key) {
    Conn c = (Conn) key.attachment();
    if (c.closed || !key.isValid()) return;
    if (key.isConnectable()) {
      try {
        c.channel.finishConnect();
      } catch (IOException e) {
        connectFailed(e);
        close(c);
        return;
      }
      key.interestOps(SelectionKey.OP_READ);
      onConnected(c);
      return;
    }
    if (key.isReadable()) read(c);
    if (!c.closed && key.isValid() && key.isWritable()) flush(c);
  }

  private void onConnected(Conn c) {
    c.phase = Conn.Phase.HELLO_SENT;
    c.helloSentAt = System.nanoTime();
    c.put(HELLO);
    c.putLong(c.client);
    c.put(helloEnd);
    if (cbor) {
      // everything after the hello line is CBOR both ways (the server's after its welcome)
      c.encoder = new Cbor.Encoder();
      c.decoder = new Cbor.Decoder();
    }
    markDirty(c);
  }

  private void read(Conn c) {
    ByteBuffer buf = readBuffer;
    buf.clear();
    if (c.carryLen > 0) buf.put(c.carry, 0, c.carryLen);
    int n;
    try {
      n = c.channel.read(buf);
    } catch (IOException e) {
      lost(c);
      return;
    }
    if (n < 0) {
      lost(c);
      return;
    }
    long now = System.nanoTime();
    if (plan.inWindow(now)) bytesInWindowLocal += n;
    byte[] a = buf.array();
    int end = buf.position();
    if (c.cborIn) {
      frames(c, a, 0, end, now);
      return;
    }
    int lineStart = 0;
    for (int i = c.carryLen; i < end; i++) {
      if (a[i] != '\n') continue;
      int lineEnd = i > lineStart && a[i - 1] == '\r' ? i - 1 : i;
      line(c, a, lineStart, lineEnd, now);
      if (c.closed) return;
      lineStart = i + 1;
      if (c.cborIn) {
        frames(c, a, lineStart, end, now);
        return;
      }
    }
    int rest = end - lineStart;
    if (rest > MAX_LINE) {
      stats.unreadable.increment();
      close(c);
      return;
    }
    if (rest > 0) {
      if (c.carry == null || c.carry.length < rest) c.carry = new byte[Math.max(rest, 256)];
      System.arraycopy(a, lineStart, c.carry, 0, rest);
    }
    c.carryLen = rest;
  }

  /** Length-prefixed CBOR documents in {@code a[from, end)}; an incomplete one is carried to the next read. */
  private void frames(Conn c, byte[] a, int from, int end, long now) {
    int pos = from;
    while (pos < end) {
      long[] head = Cbor.frameHead(a, pos, end - pos);
      if (head == null) break;
      if (head[1] < 0 || head[1] > MAX_LINE) {
        stats.unreadable.increment();
        close(c);
        return;
      }
      int start = pos + (int) head[0];
      if (end - start < head[1]) break;
      com.fasterxml.jackson.databind.JsonNode m;
      try {
        m = c.decoder.decode(a, start, (int) head[1]);
      } catch (Cbor.MalformedException e) {
        stats.unreadable.increment();
        close(c);
        return;
      }
      document(c, m, now);
      if (c.closed) return;
      pos = start + (int) head[1];
    }
    int rest = end - pos;
    if (rest > 0) {
      if (c.carry == null || c.carry.length < rest) c.carry = new byte[Math.max(rest, 256)];
      System.arraycopy(a, pos, c.carry, 0, rest);
    }
    c.carryLen = rest;
  }

  /** One CBOR message, handled like the same message as a JSON line. */
  private void document(Conn c, com.fasterxml.jackson.databind.JsonNode m, long now) {
    com.fasterxml.jackson.databind.JsonNode tick = m.get("tick");
    com.fasterxml.jackson.databind.JsonNode ack = m.get("ack");
    com.fasterxml.jackson.databind.JsonNode t = m.get("t");
    scanner.hasTick = tick != null && tick.canConvertToLong();
    scanner.tick = scanner.hasTick ? tick.longValue() : 0;
    scanner.hasAck = ack != null && ack.canConvertToLong();
    scanner.ack = scanner.hasAck ? ack.longValue() : 0;
    scanner.hasT = t != null && t.isIntegralNumber() && t.canConvertToLong();
    scanner.t = scanner.hasT ? t.longValue() : 0;
    switch (m.path("type").asText()) {
      case "state" -> onState(c, now);
      case "pong" -> onPong(c, now);
      case "joined" -> onJoined(c, now);
      case "error" -> {
        stats.error(m.path("code").asText("(no code)"));
        if (c.phase != Conn.Phase.READY) {
          stats.rejected.increment();
          close(c);
        }
      }
      default -> { }
    }
  }

  private void line(Conn c, byte[] a, int from, int to, long now) {
    if (!scanner.scan(a, from, to)) {
      if (to > from) stats.unreadable.increment();
      return;
    }
    switch (scanner.type) {
      case LineScanner.STATE -> onState(c, now);
      case LineScanner.PONG -> onPong(c, now);
      case LineScanner.WELCOME -> onWelcome(c, now);
      case LineScanner.JOINED -> onJoined(c, now);
      case LineScanner.ERROR -> onError(c, a);
      default -> { } // left, chat, reconnect and future types need no action here
    }
  }

  private void onWelcome(Conn c, long now) {
    if (c.phase != Conn.Phase.HELLO_SENT) return;
    if (cbor) c.cborIn = true;
    stats.welcomed.increment();
    stats.hello.recordValue(Math.max(0, now - c.helloSentAt) / 1000);
    if (arena) {
      c.phase = Conn.Phase.JOIN_SENT;
      if (cbor) {
        c.put(c.encoder.encodeFramed(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "join")
            .put("room", "bench-" + c.client / playersPerRoom).put("game", "arena")));
        markDirty(c);
        return;
      }
      c.put(JOIN);
      c.putLong(c.client / playersPerRoom);
      c.put(JOIN_END);
      markDirty(c);
    } else if (lobby) {
      becomeReady(c, now);
      startPeriodic(c);
    } else {
      becomeReady(c, now);
      for (int i = 0; i < inFlight; i++) sendPing(c, now);
    }
  }

  private void onJoined(Conn c, long now) {
    if (c.phase != Conn.Phase.JOIN_SENT) return;
    becomeReady(c, now);
    startPeriodic(c);
  }

  /** Puts a ready client on the wheel: it sends its periodic message from now on. */
  private void startPeriodic(Conn c) {
    wheel.get(c.client % slots).add(c);
    playing++;
  }

  private void becomeReady(Conn c, long now) {
    c.phase = Conn.Phase.READY;
    int readyNow = stats.ready.incrementAndGet();
    stats.peakReady.accumulateAndGet(readyNow, Math::max);
    if (stats.everReady.incrementAndGet() == total) stats.allReadyAt = now;
  }

  private void onError(Conn c, byte[] a) {
    String code = scanner.codeFrom >= 0
        ? new String(a, scanner.codeFrom, scanner.codeTo - scanner.codeFrom, StandardCharsets.UTF_8)
        : "(no code)";
    stats.error(code);
    if (c.phase != Conn.Phase.READY) {
      // the handshake was refused (e.g. room_full): this client cannot take part
      stats.rejected.increment();
      close(c);
    }
  }

  private void onState(Conn c, long now) {
    boolean measured = plan.inWindow(now);
    deliveredLocal++;
    if (measured) deliveredInWindowLocal++;
    if (c.lastStateAt != 0) {
      long micros = (now - c.lastStateAt) / 1000;
      stats.tickInterval.recordValue(micros);
      if (measured) stats.tickIntervalInWindow.recordValue(micros);
    }
    c.lastStateAt = now;
    if (scanner.hasTick) {
      long gap = scanner.tick - c.lastTick;
      if (c.lastTick != Long.MIN_VALUE && gap > 1) stats.missedTicks.add(gap - 1);
      c.lastTick = scanner.tick;
    }
    if (scanner.hasAck && c.sentAt != null) {
      long upTo = Math.min(scanner.ack, c.nextSeq - 1);
      while (c.firstUnacked <= upTo) {
        recordLatency(now - c.sentAt(c.firstUnacked), measured);
        c.firstUnacked++;
      }
    }
  }

  private void onPong(Conn c, long now) {
    boolean measured = plan.inWindow(now);
    deliveredLocal++;
    if (measured) deliveredInWindowLocal++;
    if (scanner.hasT) {
      long rtt = now - plan.base() - scanner.t;
      if (rtt >= 0) recordLatency(rtt, measured);
    } else {
      stats.unreadable.increment();
    }
    if (c.phase == Conn.Phase.READY && !stopping && !lobby) sendPing(c, now); // echo: the next ping at once
  }

  private void recordLatency(long nanos, boolean measured) {
    long micros = nanos / 1000;
    stats.latency.recordValue(micros);
    if (measured) stats.latencyInWindow.recordValue(micros);
  }

  // ------------------------------------------------------------------ output

  private void sendInput(Conn c, long now) {
    long seq = c.nextSeq++;
    if (seq - c.firstUnacked >= Conn.HISTORY) {
      // never acknowledged: count it with the time waited so far, a lower bound of its latency
      recordLatency(now - c.sentAt(c.firstUnacked), plan.inWindow(now));
      stats.unacked.increment();
      c.firstUnacked++;
    }
    c.sentAt(seq, now);
    if (cbor) {
      com.fasterxml.jackson.databind.node.ObjectNode m = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
          .put("type", "input").put("seq", seq);
      m.putObject("data").put("dx", random.nextInt(3) - 1).put("dy", random.nextInt(3) - 1);
      c.put(c.encoder.encodeFramed(m));
      markDirty(c);
      return;
    }
    c.put(INPUT);
    c.putLong(seq);
    c.put(INPUT_DX);
    c.putLong(random.nextInt(3) - 1);
    c.put(INPUT_DY);
    c.putLong(random.nextInt(3) - 1);
    c.put(INPUT_END);
    markDirty(c);
  }

  /** A ping whose {@code t} is the send time in ns since the run's base, so a pong alone gives the RTT. */
  private void sendPing(Conn c, long now) {
    if (cbor) {
      c.put(c.encoder.encodeFramed(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("type", "ping")
          .put("t", now - plan.base())));
      markDirty(c);
      return;
    }
    c.put(PING);
    c.putLong(now - plan.base());
    c.put(PING_END);
    markDirty(c);
  }

  private void markDirty(Conn c) {
    if (!c.dirty) {
      c.dirty = true;
      dirty.add(c);
    }
  }

  private void flushDirty() {
    for (int i = 0; i < dirty.size(); i++) {
      Conn c = dirty.get(i);
      c.dirty = false;
      if (!c.closed) flush(c);
    }
    dirty.clear();
  }

  private void flush(Conn c) {
    ByteBuffer o = c.out;
    o.flip();
    try {
      if (o.hasRemaining()) c.channel.write(o);
    } catch (IOException e) {
      o.compact();
      lost(c);
      return;
    }
    o.compact();
    boolean pending = o.position() > 0;
    if (pending != c.writeInterest && c.key.isValid()) {
      c.writeInterest = pending;
      c.key.interestOps(pending ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }
  }

  // ------------------------------------------------------------------ closing

  private void connectFailed(IOException e) {
    stats.connectFailures.increment();
    if (stats.firstConnectError == null) stats.firstConnectError = String.valueOf(e.getMessage());
  }

  /** The server closed the connection, or it broke. */
  private void lost(Conn c) {
    if (c.closed) return;
    if (!stopping) stats.disconnects.increment();
    close(c);
  }

  private void close(Conn c) {
    if (c.closed) return;
    c.closed = true;
    if (c.phase == Conn.Phase.READY) {
      stats.ready.decrementAndGet();
      if (arena || lobby) playing--;
    }
    if (c.key != null) c.key.cancel();
    closeQuietly(c.channel);
  }

  private void closeAll() {
    long now = System.nanoTime();
    try {
      for (SelectionKey key : selector.keys()) {
        // a hello never answered counts with the time it waited so far, a lower bound of its latency
        if (key.attachment() instanceof Conn c && !c.closed && c.phase == Conn.Phase.HELLO_SENT) {
          stats.hello.recordValue(Math.max(0, now - c.helloSentAt) / 1000);
        }
        if (key.attachment() instanceof Conn c) close(c);
      }
      selector.close();
    } catch (IOException | RuntimeException e) {
      // shutting down anyway
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    if (ch == null) return;
    try {
      ch.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  private void publish() {
    if (deliveredLocal != 0) {
      stats.delivered.add(deliveredLocal);
      deliveredLocal = 0;
    }
    if (bytesInWindowLocal != 0) {
      stats.bytesInWindow.add(bytesInWindowLocal);
      bytesInWindowLocal = 0;
    }
    if (deliveredInWindowLocal != 0) {
      stats.deliveredInWindow.add(deliveredInWindowLocal);
      deliveredInWindowLocal = 0;
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
