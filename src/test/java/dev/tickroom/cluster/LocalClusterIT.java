package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/local-cluster.sh, the one-command local cluster of README: its nodes start through the launcher
 * (deploy/tickroom) with its JVM flags, serve hellos, are all listed by {@code status}, and {@code stop} ends
 * them. Runs after {@code package}.
 */
@Timeout(240)
class LocalClusterIT {
  static final Path SCRIPT = Path.of("deploy", "local-cluster.sh");

  @Test
  void twoNodesStartThroughTheLauncherAreListedAndStop() throws Exception {
    Path dir = Files.createTempDirectory("local-cluster");
    int gameBase = freeBase(2);
    ProcessBuilder base = new ProcessBuilder();
    Map<String, String> env = base.environment();
    env.put("CLUSTER_DIR", dir.toString());
    env.put("JAVA", ProcessHandle.current().info().command().orElse("java"));
    env.put("BASE_GAME_PORT", Integer.toString(gameBase));
    env.put("BASE_HTTP_PORT", Integer.toString(freeBase(2)));
    env.put("BASE_CLUSTER_PORT", Integer.toString(freeBase(2)));
    env.put("BASE_MGMT_PORT", Integer.toString(freeBase(2)));
    env.put("STARTUP_TIMEOUT", "120");
    env.remove("JAVA_OPTS");
    try {
      Result start = run(base, "start", "2");
      assertEquals(0, start.code, start.out);
      long[] pids = {pid(dir, 1), pid(dir, 2)};
      for (int k = 1; k <= 2; k++) {
        String cmdline = JarNodes.cmdline(pids[k - 1]);
        assertTrue(cmdline.contains("-XX:+UseParallelGC") && cmdline.contains("-Xmn24m")
            && cmdline.contains("-Dtickroom.local-cluster.node=" + k + " "), "node " + k + ": " + cmdline);
        assertHello(gameBase + k);
      }
      Result status = run(base, "status");
      assertEquals(0, status.code, status.out);
      assertEquals(2, status.out.lines().filter(l -> l.matches("^[12]\\s+\\d+\\s+running\\s.*")).count(), status.out);

      Result stop = run(base, "stop");
      assertEquals(0, stop.code, stop.out);
      for (int k = 1; k <= 2; k++) assertTrue(!runs(pids[k - 1]), "node " + k + " still runs after stop");
    } finally {
      // only the nodes this test started, by the PIDs the script recorded for them
      for (int k = 1; k <= 2; k++) {
        if (!Files.exists(dir.resolve("node-" + k + ".pid"))) continue;
        long pid = pid(dir, k);
        if (runs(pid) && JarNodes.cmdline(pid).contains("-Dtickroom.local-cluster.node=" + k + " ")) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
  }

  private static long pid(Path dir, int k) throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("node-" + k + ".pid")).trim());
  }

  /** Alive and not a zombie (the nodes outlive the script that started them, so init reaps them). */
  private static boolean runs(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) return false;
    String s;
    try {
      s = Files.readString(stat);
    } catch (IOException gone) {
      return false;
    }
    return s.charAt(s.lastIndexOf(") ") + 2) != 'Z';
  }

  private static void assertHello(int port) throws IOException {
    String line = JarNodes.helloReply(port);
    assertTrue(line != null && line.contains("\"type\":\"welcome\""), "port " + port + ": " + line);
  }

  private record Result(int code, String out) {}

  private static Result run(ProcessBuilder base, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(base.environment());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "local-cluster.sh " + String.join(" ", args) + " did not end");
    return new Result(p.exitValue(), out);
  }

  /** Ports given to this test's ranges, so that two ranges never overlap. */
  private static final Set<Integer> GIVEN = new HashSet<>();

  /** A base port whose next {@code n} ports are free (the script gives node k the port base + k). */
  private static int freeBase(int n) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = JarNodes.freePort();
      boolean free = true;
      for (int k = 0; k < n && free; k++) free = !GIVEN.contains(first + k) && (k == 0 || isFree(first + k));
      if (free) {
        for (int k = 0; k < n; k++) GIVEN.add(first + k);
        return first - 1;
      }
    }
    throw new IllegalStateException("no " + n + " free ports in a row");
  }

  private static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException taken) {
      return false;
    }
  }
}
