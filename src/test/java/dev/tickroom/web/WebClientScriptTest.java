package dev.tickroom.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the JavaScript client's own tests (src/test/resources/web-test, Node's built-in test runner, no
 * packages) as part of the Maven build. Skips with a message when no Node.js is installed.
 */
class WebClientScriptTest {
  @Test
  @Timeout(120)
  void theJavaScriptClientTestsPass() throws Exception {
    assumeTrue(nodeAvailable(), "Node.js is not installed: skipping the JavaScript client tests (install nodejs to run them)");
    Path log = Path.of("target", "web-client-tests.log");
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder("node", "--test", "src/test/resources/web-test/")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(100, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("node --test did not finish in 100 s");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
  }

  static boolean nodeAvailable() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, "node").canExecute()) return true;
    }
    return false;
  }
}
