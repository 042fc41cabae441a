package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The two jars of {@code mvn package}: the node's carries neither the load generator nor its chart library;
 * the load generator's runs on its own. Runs after {@code package} (failsafe).
 */
@Timeout(120)
class LoadTestJarIT {
  static final Path NODE_JAR = Path.of("target", "tickroom.jar");
  static final Path LOADTEST_JAR = Path.of("target", "tickroom-loadtest.jar");

  @Test
  void theNodeJarHoldsNoLoadGeneratorAndNoChartLibrary() throws IOException {
    try (JarFile jar = new JarFile(NODE_JAR.toFile())) {
      List<String> stray = jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("dev/tickroom/loadtest/") || n.startsWith("org/jfree/")).limit(5).toList();
      assertEquals(List.of(), stray);
      assertTrue(jar.getEntry("dev/tickroom/Main.class") != null);
      assertTrue(jar.getEntry("org/HdrHistogram/Histogram.class") != null, "Micrometer's percentiles need it");
      assertEquals("dev.tickroom.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
    }
  }

  @Test
  void theLoadGeneratorJarIsSmallAndRunsByItself() throws Exception {
    try (JarFile jar = new JarFile(LOADTEST_JAR.toFile())) {
      assertEquals("dev.tickroom.loadtest.LoadTest", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertTrue(jar.getEntry("org/jfree/chart/JFreeChart.class") != null);
      assertFalse(jar.stream().anyMatch(e -> e.getName().startsWith("org/apache/pekko/")), "no Pekko inside");
    }
    Run help = java("-jar", LOADTEST_JAR.toString(), "--help");
    assertEquals(0, help.status(), help.output());
    assertTrue(help.output().startsWith("Usage: java -jar tickroom-loadtest.jar --scenario"), help.output());
  }

  @Test
  void theNodeJarPointsLoadtestToTheOtherJar() throws Exception {
    Run r = java("-jar", NODE_JAR.toString(), "loadtest", "--help");
    assertEquals(2, r.status(), r.output());
    assertTrue(r.output().contains("tickroom-loadtest.jar"), r.output());
  }

  @Test
  void theLoadGeneratorJarDrivesANodeInEverySyncAndFormat() throws Exception {
    dev.tickroom.Node node = dev.tickroom.Node.start(com.typesafe.config.ConfigFactory.load("application-test"),
        java.time.Duration.ofSeconds(30));
    try {
      String port = Integer.toString(node.gameAddress().getPort());
      for (String[] mode : List.of(new String[] {"full", "json"}, new String[] {"patch", "json"}, new String[] {"patch", "cbor"})) {
        Run r = java("-jar", LOADTEST_JAR.toString(), "--scenario", "arena-load", "--rooms", "1", "--players-per-room", "2",
            "--warmup", "1", "--duration", "2", "--port", port, "--sync", mode[0], "--format", mode[1]);
        assertEquals(0, r.status(), r.output());
        String json = r.output().substring(r.output().lastIndexOf("{\"scenario\""));
        com.fasterxml.jackson.databind.JsonNode figures = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.trim());
        // the jar holds every class its code paths need: a missing one kills its I/O threads and nothing arrives
        assertTrue(figures.path("delivered_per_s").asDouble() > 0, String.join("/", mode) + ": " + r.output());
      }
    } finally {
      node.stop();
    }
  }

  record Run(int status, String output) {}

  static Run java(String... args) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(javaBin, "-Xmx64m"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start(); // only this test's own process
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
    return new Run(p.exitValue(), out);
  }
}
