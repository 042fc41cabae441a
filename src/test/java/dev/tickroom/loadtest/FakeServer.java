package dev.tickroom.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small, strict protocol-v1 server for tests: blocking sockets on 127.0.0.1, one reader thread per client
 * and a 20 Hz ticker that sends every joined client a {@code state} with {@code ack} = its last input seq.
 * Protocol mistakes by the client (message before hello, input outside a room, non-increasing seq, direction
 * out of range, unknown type) are answered with an {@code error} and counted in {@link #errorsSent}.
 *
 * <p>State lines put the game state before {@code tick} and {@code ack}, and player names contain quotes and
 * braces, so the load generator's scanner has to skip nested values properly.
 */
final class FakeServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  final AtomicInteger errorsSent = new AtomicInteger();
  final AtomicLong statesSent = new AtomicLong();
  final AtomicLong pongsSent = new AtomicLong();

  private final ServerSocket server;
  private final List<Client> clients = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-server-ticker");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong tick = new AtomicLong();
  private final AtomicInteger players = new AtomicInteger();
  private volatile boolean closed;

  FakeServer() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::accept, "fake-server-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    ticker.scheduleAtFixedRate(this::tick, 50, 50, TimeUnit.MILLISECONDS);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        Client c = new Client(s);
        clients.add(c);
        Thread reader = new Thread(c::read, "fake-server-client");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void tick() {
    long t = tick.incrementAndGet();
    for (Client c : clients) {
      String room = c.room;
      if (room == null) continue;
      c.send("{\"type\":\"state\",\"room\":\"" + room + "\",\"state\":{\"players\":{\"" + c.player
          + "\":{\"name\":\"a \\\"quoted\\\" {name}]\",\"x\":1.5,\"y\":-2e1,\"score\":0}},\"coins\":[{\"x\":1,"
          + "\"y\":2},[]]},\"tick\":" + t + ",\"ack\":" + c.lastSeq + "}");
      statesSent.incrementAndGet();
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    ticker.shutdownNow();
    server.close();
    for (Client c : clients) c.close();
  }

  private final class Client {
    private final Socket socket;
    private final OutputStream out;
    volatile String player;
    volatile String room;
    volatile long lastSeq = -1;

    Client(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }

    void read() {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) handle(line);
      } catch (IOException e) {
        // client went away
      } finally {
        room = null;
        clients.remove(this);
        close();
      }
    }

    private void handle(String line) throws IOException {
      JsonNode m;
      try {
        m = JSON.readTree(line);
      } catch (IOException e) {
        error("bad_json");
        return;
      }
      String type = m.path("type").asText("");
      if (player == null && !type.equals("hello")) {
        error("not_authenticated");
        return;
      }
      switch (type) {
        case "hello" -> {
          if (player != null || !m.path("name").isTextual()) {
            error("bad_request");
            return;
          }
          player = "p" + players.incrementAndGet();
          send("{\"type\":\"welcome\",\"player\":\"" + player + "\",\"node\":\"fake\",\"resume\":\"x\"}");
        }
        case "join" -> {
          String r = m.path("room").asText("");
          if (!r.matches("[A-Za-z0-9_.-]{1,64}") || !m.path("game").asText("arena").equals("arena")) {
            error("bad_request");
            return;
          }
          room = r;
          send("{\"type\":\"joined\",\"room\":\"" + r + "\",\"game\":\"arena\",\"player\":\"" + player
              + "\",\"tick\":" + tick.get() + ",\"state\":{\"players\":{},\"coins\":[]}}");
        }
        case "input" -> {
          long seq = m.path("seq").asLong(Long.MIN_VALUE);
          int dx = m.path("data").path("dx").asInt(9);
          int dy = m.path("data").path("dy").asInt(9);
          if (room == null) {
            error("not_in_room");
          } else if (!m.path("seq").isIntegralNumber() || seq <= lastSeq || Math.abs(dx) > 1 || Math.abs(dy) > 1) {
            error("bad_request");
          } else {
            lastSeq = seq;
          }
        }
        case "ping" -> {
          if (!m.has("t")) {
            error("bad_request");
            return;
          }
          send("{\"type\":\"pong\",\"t\":" + m.get("t") + "}");
          pongsSent.incrementAndGet();
        }
        default -> error("unknown_type");
      }
    }

    private void error(String code) {
      errorsSent.incrementAndGet();
      send("{\"type\":\"error\",\"code\":\"" + code + "\",\"message\":\"fake server says " + code + "\"}");
    }

    void send(String line) {
      byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
      synchronized (this) {
        try {
          out.write(bytes);
          out.flush();
        } catch (IOException e) {
          room = null;
        }
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // ignore
      }
    }
  }
}
