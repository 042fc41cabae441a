package dev.tickroom.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.protocol.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A player for the cluster ITs that behaves like a real client: a reader thread records every state with
 * its arrival time, follows {@code reconnect} (hello with its resume token at the first node that answers)
 * and, when its node vanishes without a word (kill -9, a cut link), reconnects to the fallback endpoints.
 * Everything it saw is kept for the test to check afterwards.
 */
final class LiveClient implements AutoCloseable {
  /** One state as the client saw it. */
  record Sample(long millis, String room, long tick, String via) {}

  /** A `reconnect` (or a lost connection) and how long until the first state of the room afterwards. */
  record Resume(long atMillis, boolean told, List<String> nodes, String via, long firstStateMillis) {}

  final String name;
  private final Supplier<List<String>> fallback;
  private final Object lock = new Object();
  private Socket socket;
  private OutputStream out;
  private volatile boolean closed;
  private volatile String player;
  private volatile String resume;
  private volatile String room;
  private volatile String endpoint;
  private long seq;
  private final Thread reader;
  final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
  final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  final List<Resume> resumes = Collections.synchronizedList(new ArrayList<>());
  /** Ticks that went back without a `joined` before them (the v1.1 re-sync rule): "room tick then tick". */
  final List<String> backwards = Collections.synchronizedList(new ArrayList<>());
  /** Per `joined` after a restore: ticks of play the restored room lost against the last state seen. */
  final List<Long> lostTicks = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch joined = new CountDownLatch(1);
  private volatile long pendingResumeAt = -1;
  private volatile boolean pendingTold;
  private volatile List<String> pendingNodes = List.of();
  private long lastTick = -1;
  private boolean resyncAllowed = true;

  /**
   * @param fallback endpoints to try when the node drops the connection without `reconnect`
   */
  /**
   * Fills {@code rooms} arena rooms named {@code prefix-0..}: in each, one client per seat (a name suffix and
   * the endpoint it connects to), all added to {@code all}; returns when every one has joined, then starts
   * every client of {@code all} sending a random direction every 100 ms on {@code load}.
   */
  static java.util.Map<String, List<LiveClient>> playInRooms(String prefix, int rooms, List<String[]> seats,
      Supplier<List<String>> fallback, List<LiveClient> all, java.util.concurrent.ScheduledExecutorService load)
      throws IOException, InterruptedException {
    java.util.Map<String, List<LiveClient>> byRoom = new java.util.LinkedHashMap<>();
    for (int r = 0; r < rooms; r++) {
      String room = prefix + "-" + r;
      List<LiveClient> members = new ArrayList<>();
      for (String[] seat : seats) {
        LiveClient c = new LiveClient(room + "-" + seat[0], seat[1], fallback);
        all.add(c);
        c.join(room, "arena");
        members.add(c);
      }
      byRoom.put(room, members);
    }
    for (LiveClient c : all) {
      if (!c.awaitJoined(30)) throw new AssertionError(c.name + " did not join");
    }
    load.scheduleAtFixedRate(() -> all.forEach(c -> c.input(java.util.concurrent.ThreadLocalRandom.current().nextInt(-1, 2),
        java.util.concurrent.ThreadLocalRandom.current().nextInt(-1, 2))), 0, 100, TimeUnit.MILLISECONDS);
    return byRoom;
  }

  LiveClient(String name, String endpoint, Supplier<List<String>> fallback) throws IOException {
    this.name = name;
    this.fallback = fallback;
    connect(endpoint);
    send("{\"type\":\"hello\",\"name\":\"" + name + "\"}");
    reader = new Thread(this::readLoop, "client-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  private void connect(String hostPort) throws IOException {
    int colon = hostPort.lastIndexOf(':');
    Socket s = new Socket();
    s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))), 2000);
    s.setTcpNoDelay(true);
    synchronized (lock) {
      socket = s;
      out = s.getOutputStream();
      endpoint = hostPort;
    }
  }

  void join(String roomId, String game) {
    room = roomId;
    send("{\"type\":\"join\",\"room\":\"" + roomId + "\",\"game\":\"" + game + "\"}");
  }

  boolean awaitJoined(long seconds) throws InterruptedException {
    return joined.await(seconds, TimeUnit.SECONDS);
  }

  /** One input with the next seq (the load). */
  void input(int dx, int dy) {
    if (room == null || pendingResumeAt >= 0) return;
    long s;
    synchronized (lock) {
      s = ++seq;
    }
    send("{\"type\":\"input\",\"seq\":" + s + ",\"data\":{\"dx\":" + dx + ",\"dy\":" + dy + "}}");
  }

  String endpoint() {
    return endpoint;
  }

  String room() {
    return room;
  }

  void send(String json) {
    synchronized (lock) {
      try {
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      } catch (IOException | RuntimeException lost) {
        // the reader notices the broken connection and reconnects
      }
    }
  }

  private void readLoop() {
    while (!closed) {
      BufferedReader in;
      try {
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
      } catch (IOException e) {
        if (!reconnect(false, fallback.get())) return;
        continue;
      }
      boolean told = false;
      List<String> nodes = List.of();
      try {
        String line;
        while ((line = in.readLine()) != null) {
          JsonNode m = Codec.MAPPER.readTree(line);
          if ("reconnect".equals(m.path("type").asText())) {
            told = true;
            nodes = new ArrayList<>();
            for (JsonNode n : m.path("nodes")) nodes.add(n.asText());
            if (nodes.isEmpty()) errors.add("reconnect with an empty node list: " + line);
            break;
          }
          onMessage(m, line);
        }
      } catch (IOException lost) {
        // reset: the node died or was cut off
      }
      if (closed) return;
      // like a real client, start at a random one of the nodes named, so that a node's players spread out
      List<String> targets = new ArrayList<>(nodes);
      java.util.Collections.rotate(targets, targets.isEmpty() ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextInt(targets.size()));
      for (String f : fallback.get()) if (!targets.contains(f)) targets.add(f);
      if (!reconnect(told, targets)) return;
    }
  }

  private void onMessage(JsonNode m, String line) {
    long now = System.currentTimeMillis();
    switch (m.path("type").asText()) {
      case "welcome" -> {
        if (player == null) player = m.path("player").asText();
        resume = m.path("resume").asText();
      }
      case "joined" -> {
        joined.countDown();
        synchronized (this) {
          long t = m.path("tick").asLong();
          if (lastTick >= 0 && t < lastTick) lostTicks.add(lastTick - t);
          resyncAllowed = true;
        }
      }
      case "state" -> {
        long t = m.path("tick").asLong();
        String r = m.path("room").asText();
        samples.add(new Sample(now, r, t, endpoint));
        synchronized (this) {
          if (lastTick >= 0 && t <= lastTick && !resyncAllowed) backwards.add(r + " " + lastTick + " then " + t);
          lastTick = t;
          resyncAllowed = false;
        }
        if (pendingResumeAt >= 0 && r.equals(room)) {
          resumes.add(new Resume(pendingResumeAt, pendingTold, pendingNodes, endpoint, now));
          pendingResumeAt = -1;
        }
      }
      case "error" -> errors.add(line);
      default -> { }
    }
  }

  /** Connects to the first target that answers and resumes; false when closed or nothing answers for 30 s. */
  private boolean reconnect(boolean told, List<String> targets) {
    pendingResumeAt = System.currentTimeMillis();
    pendingTold = told;
    pendingNodes = List.copyOf(targets);
    synchronized (lock) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // replacing it anyway
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!closed && System.nanoTime() < deadline) {
      List<String> list = targets.isEmpty() ? fallback.get() : targets;
      for (String t : list) {
        try {
          connect(t);
          send("{\"type\":\"hello\",\"name\":\"" + name + "\",\"resume\":\"" + resume + "\"}");
          return true;
        } catch (IOException down) {
          // try the next one
        }
      }
      targets = fallback.get();
      try {
        Thread.sleep(200); // a bounded retry loop of a client, as a real one would do
      } catch (InterruptedException e) {
        return false;
      }
    }
    if (!closed) errors.add("could not reconnect to any of " + targets);
    return false;
  }

  /** The longest time without a state between {@code from} and {@code to} (epoch millis). */
  long maxGap(long from, long to) {
    long prev = from;
    long max = 0;
    synchronized (samples) {
      for (Sample s : samples) {
        if (s.millis() < from) continue;
        if (s.millis() > to) break;
        max = Math.max(max, s.millis() - prev);
        prev = s.millis();
      }
    }
    return Math.max(max, to - prev);
  }

  /** The last tick seen at or before {@code millis}, or -1. */
  long tickAt(long millis) {
    long t = -1;
    synchronized (samples) {
      for (Sample s : samples) {
        if (s.millis() > millis) break;
        t = s.tick();
      }
    }
    return t;
  }

  /** The first state after {@code millis} with a tick above {@code tick}, or null. */
  Sample firstAfter(long millis, long tick) {
    synchronized (samples) {
      for (Sample s : samples) if (s.millis() > millis && s.tick() > tick) return s;
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
    reader.interrupt();
  }
}
