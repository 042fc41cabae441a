package dev.tickroom.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.protocol.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Real node processes of target/tickroom.jar for the cluster ITs: start, stop by handle, admin view, logs. */
final class JarNodes implements AutoCloseable {
  static final Path JAR = Path.of("target", "tickroom.jar");
  private final Path logs;
  final List<JarNode> all = new ArrayList<>();
  /** One resume-token secret per test run, shared by its nodes, as an operator sets it (never a published one). */
  private final String secret = java.util.UUID.randomUUID() + "-" + java.util.UUID.randomUUID();

  /**
   * One node process.
   *
   * @param host the address its cluster, game and management ports listen on (and clients use)
   */
  record JarNode(String name, Process process, String host, int game, int cluster, int management, Path log) {
    String endpoint() {
      return host + ":" + game;
    }

    String address() {
      return "pekko://tickroom@" + host + ":" + cluster;
    }

    InetSocketAddress gameAddress() {
      return new InetSocketAddress(host, game);
    }
  }

  /**
   * A free port below the kernel's ephemeral range (32768 and up on Linux), so that no port 0 bind of
   * another process (our own nodes' HTTP ports, other tests) can take it between this check and the
   * node's bind.
   */
  /** Ports handed out in this JVM: a port handed out is not bound until its node starts, so a check alone would give it twice. */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static int freePort() {
    for (int i = 0; i < 1000; i++) {
      int port = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12000);
      if (!HANDED_OUT.add(port)) continue;
      try (java.net.ServerSocket s = new java.net.ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port in 20000-32000");
  }

  JarNodes(Path logs) throws IOException {
    this.logs = logs;
    Files.createDirectories(logs);
  }

  /**
   * Starts a node; {@code prefix} runs it inside something (e.g. {@code ip netns exec ns}).
   * The JVM flags keep heaps small: three or four nodes share two cores with the test.
   */
  JarNode start(String name, List<String> prefix, String host, int game, int cluster, List<String> seeds, Map<String, String> extraEnv)
      throws IOException {
    int management = freePort();
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.put("GAME_HOST", host);
    env.put("GAME_PORT", Integer.toString(game));
    env.put("HTTP_HOST", host);
    env.put("HTTP_PORT", "0");
    env.put("CLUSTER_HOST", host);
    env.put("CLUSTER_PORT", Integer.toString(cluster));
    env.put("SEED_NODES", String.join(",", seeds));
    env.put("MANAGEMENT_HOST", host);
    env.put("MANAGEMENT_PORT", Integer.toString(management));
    env.put("CLUSTER_SECRET", secret);
    env.put("MAX_CONNECTIONS_PER_ADDRESS", "10000"); // every test client comes from one address
    env.putAll(extraEnv);
    Path log = logs.resolve(name + ".log");
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    JarNode n = new JarNode(name, pb.start(), host, game, cluster, management, log);
    all.add(n);
    return n;
  }

  /** The first line a node on {@code port} of 127.0.0.1 answers to a hello (null if it closes first). */
  static String helloReply(int port) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("{\"type\":\"hello\",\"name\":\"ann\"}\n".getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }
  }

  /** A process's command line, its arguments joined by spaces; "" once it is gone. */
  static String cmdline(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
    } catch (IOException gone) {
      return "";
    }
  }

  static void awaitPort(InetSocketAddress address, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(address, 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200); // polling a starting process, bounded
      }
    }
    throw new AssertionError("port " + address + " never opened");
  }

  static JsonNode admin(JarNode n) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build().send(
        HttpRequest.newBuilder(URI.create("http://" + n.host() + ":" + n.management() + "/admin/status"))
            .timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("admin status " + r.statusCode() + ": " + r.body());
    return Codec.MAPPER.readTree(r.body());
  }

  /** Polls the admin view of {@code via} until {@code test} holds, bounded. */
  static JsonNode awaitAdmin(JarNode via, Predicate<JsonNode> test, String what, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = admin(via);
        if (test.test(last)) return last;
      } catch (IOException notYet) {
        // starting, or stopping
      }
      Thread.sleep(250); // polling the admin view, bounded
    }
    throw new AssertionError("timed out waiting for " + what + "; last admin view of " + via.name() + ": " + last);
  }

  static long upMembers(JsonNode admin) {
    long up = 0;
    for (JsonNode m : admin.get("members")) if ("Up".equals(m.get("status").asText())) up++;
    return up;
  }

  static boolean isUp(JsonNode admin, String address) {
    for (JsonNode m : admin.get("members")) {
      if (m.path("address").asText().equals(address) && "Up".equals(m.get("status").asText())) return true;
    }
    return false;
  }

  static String hostOf(JsonNode admin, String room) {
    for (JsonNode r : admin.get("rooms")) if (r.get("room").asText().equals(room)) return r.get("node").asText();
    return null;
  }

  /** SIGTERM (a graceful leave); true if the process ended within the limit. */
  static boolean terminate(JarNode n, Duration limit) throws InterruptedException {
    n.process().destroy();
    return n.process().waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  /** The time of the first line of {@code n}'s log at or after {@code from} that contains {@code text}, if any. */
  static LocalTime firstLogLine(JarNode n, String text, LocalTime from) throws IOException {
    for (String line : Files.readAllLines(n.log())) {
      if (line.length() < 12 || !line.contains(text)) continue;
      try {
        LocalTime t = LocalTime.parse(line.substring(0, 12), LOG_TIME);
        if (!t.isBefore(from)) return t;
      } catch (RuntimeException notATimestamp) {
        // a continuation line
      }
    }
    return null;
  }

  /** Milliseconds from {@code from} to {@code to}, or -1 when {@code to} is unknown. */
  static long millis(LocalTime from, LocalTime to) {
    return to == null ? -1 : Duration.between(from, to).toMillis();
  }

  @Override
  public void close() {
    for (JarNode n : all) {
      n.process().destroyForcibly(); // only processes this test started, by their handles
      try {
        n.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
