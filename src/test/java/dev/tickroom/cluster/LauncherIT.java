package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deploy/tickroom, the launcher that README's start command, the Docker image and bench.sh share: the JVM
 * flags it gives, how JAVA_OPTS adds to them, and a node started through it. Runs after {@code package}.
 */
@Timeout(120)
class LauncherIT {
  static final Path LAUNCHER = Path.of("deploy", "tickroom");

  @Test
  void itRunsTheNodeWithParallelGcASmallYoungGenerationAndExitOnOutOfMemory() throws Exception {
    Map<String, String> flags = flags("");
    assertEquals("true", flags.get("UseParallelGC"));
    assertEquals(Long.toString(24L << 20), flags.get("NewSize"));
    assertEquals(Long.toString(48L << 20), flags.get("InitialHeapSize"));
    assertEquals("true", flags.get("ExitOnOutOfMemoryError"));
  }

  @Test
  void javaOptsComeLastAndAnotherCollectorReplacesOursWithoutAConflict() throws Exception {
    assertEquals(Long.toString(2L << 30), flags("-Xmx2g").get("MaxHeapSize"));
    Map<String, String> g1 = flags("-XX:+UseG1GC");
    assertEquals("true", g1.get("UseG1GC"));
    assertEquals("false", g1.get("UseParallelGC"));
    assertEquals("true", g1.get("ExitOnOutOfMemoryError"));
  }

  @Test
  void aNodeStartedThroughItServesAHello() throws Exception {
    int game = JarNodes.freePort();
    ProcessBuilder pb = launcher("");
    Map<String, String> env = pb.environment();
    env.put("GAME_HOST", "127.0.0.1");
    env.put("GAME_PORT", Integer.toString(game));
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("CLUSTER_HOST", "127.0.0.1");
    env.put("CLUSTER_PORT", Integer.toString(JarNodes.freePort()));
    env.put("MANAGEMENT_HOST", "127.0.0.1");
    env.put("MANAGEMENT_PORT", Integer.toString(JarNodes.freePort()));
    env.put("SEED_NODES", "");
    Path log = Files.createTempFile("launcher-node", ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process node = pb.start();
    try {
      JarNodes.awaitPort(new InetSocketAddress("127.0.0.1", game), Duration.ofSeconds(60));
      // the launcher exec'd the JVM: the process we started is the node itself, with the launcher's flags
      String cmdline = JarNodes.cmdline(node.pid());
      assertTrue(cmdline.contains("-XX:+UseParallelGC") && cmdline.contains("-jar"), cmdline);
      String line = JarNodes.helloReply(game);
      assertTrue(line != null && line.contains("\"type\":\"welcome\""), line + "\n" + Files.readString(log));
    } finally {
      node.destroy(); // only the process this test started
      if (!node.waitFor(30, TimeUnit.SECONDS)) node.destroyForcibly();
    }
  }

  /** The JVM flags in effect when the launcher runs with {@code javaOpts} (-version: the node does not start). */
  private static Map<String, String> flags(String javaOpts) throws Exception {
    Process p = launcher((javaOpts + " -XX:+PrintFlagsFinal -version").trim()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    Map<String, String> flags = new java.util.HashMap<>();
    Matcher m = Pattern.compile("^\\s*\\S+\\s+(\\w+)\\s+:?=\\s+(\\S+)", Pattern.MULTILINE).matcher(out);
    while (m.find()) flags.put(m.group(1), m.group(2));
    assertTrue(flags.containsKey("UseParallelGC"), out);
    return flags;
  }

  private static ProcessBuilder launcher(String javaOpts) {
    ProcessBuilder pb = new ProcessBuilder(List.of("sh", LAUNCHER.toString()));
    pb.environment().put("JAVA_OPTS", javaOpts);
    pb.environment().put("JAVA", ProcessHandle.current().info().command().orElse("java"));
    return pb;
  }
}
