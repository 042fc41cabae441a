package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator against a real node started in this JVM: small arena, echo and lobby loads for a few
 * seconds each. It checks behaviour only (everything delivered is counted, nothing failed); speed is what
 * {@code deploy/bench.sh} measures, not this test.
 */
@Timeout(120)
class LoadSmokeTest {
  private static Node node;
  private static int port;

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);

  @BeforeAll
  static void startNode() throws Exception {
    // echo-load keeps pings in flight, far above the per-connection rate limit: lift it for this node
    node = Node.start(ConfigFactory.parseString(
            "tickroom.limits.rate-per-second = 1000000\ntickroom.limits.rate-burst = 1000000")
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
    port = node.gameAddress().getPort();
  }

  @AfterAll
  static void stopNode() {
    if (node != null) node.stop();
  }

  @Test
  void arenaLoadGetsStatesAndAcks() {
    LoadResult r = run("--scenario", "arena-load", "--rooms", "2", "--players-per-room", "5", "--warmup", "2",
        "--duration", "3", "--ramp-per-second", "100");

    assertEquals(0, r.exitCode(), output());
    assertEquals(10, r.clients());
    assertEquals(10, r.connections().peakReady(), output());
    assertEquals(0, r.connections().rejected(), output());
    assertTrue(r.delivered() > 0, output());
    assertTrue(r.latencySamples() > 0, "no input was acknowledged: " + output());
    assertNotNull(r.tickIntervalP99Ms(), output());
    assertEquals(0, r.errors(), output());
    assertEquals(0, r.disconnects(), output());
    assertEquals(0, r.unreadable(), output());
    assertTrue(r.serverCpuS() != null && r.serverRssMb() != null && r.serverRssMb() > 0, output());
  }

  /** Each sync and format: states and acks counted, and the compact forms cost fewer bytes per state. */
  @Test
  void arenaLoadSpeaksEverySyncAndFormat() {
    double[] perState = new double[3];
    String[][] modes = {{"full", "json"}, {"patch", "json"}, {"patch", "cbor"}};
    for (int i = 0; i < modes.length; i++) {
      captured.reset();
      LoadResult r = run("--scenario", "arena-load", "--rooms", "1", "--players-per-room", "5", "--warmup", "1",
          "--duration", "2", "--ramp-per-second", "100", "--sync", modes[i][0], "--format", modes[i][1]);
      assertEquals(0, r.exitCode(), output());
      assertEquals(5, r.connections().peakReady(), output());
      assertTrue(r.delivered() > 0 && r.latencySamples() > 0, "states and acks: " + output());
      assertEquals(0, r.errors() + r.disconnects() + r.unreadable(), output());
      assertTrue(output().contains("bytes ") && output().contains("bytes_per_state"), output());
      perState[i] = r.bytesPerDelivered();
    }
    assertTrue(perState[1] < perState[0] && perState[2] < perState[1],
        "bytes per state full/json > patch/json > patch/cbor: " + java.util.Arrays.toString(perState));
  }

  @Test
  void echoLoadGetsEveryPongBack() {
    LoadResult r = run("--scenario", "echo-load", "--clients", "8", "--in-flight", "4", "--warmup", "1",
        "--duration", "2", "--ramp-per-second", "100");

    assertEquals(0, r.exitCode(), output());
    assertEquals(8, r.connections().peakReady(), output());
    assertTrue(r.delivered() > 0, output());
    assertNotNull(r.latP99Ms(), output());
    assertNull(r.tickIntervalP99Ms());
    assertEquals(0, r.errors(), output());
    assertEquals(0, r.disconnects(), output());
    assertEquals(0, r.unreadable(), output());
  }

  @Test
  void lobbyClientsStayConnectedAndAnswered() {
    LoadResult r = run("--scenario", "lobby", "--clients", "50", "--ping-interval", "0.5", "--warmup", "1",
        "--duration", "2", "--ramp-per-second", "200");

    assertEquals(0, r.exitCode(), output());
    assertEquals(50, r.connections().peakReady(), output());
    assertTrue(r.delivered() > 0, output());
    assertEquals(0, r.errors(), output());
    assertEquals(0, r.disconnects(), output());
    assertEquals(0, r.unreadable(), output());
  }

  private LoadResult run(String... args) {
    String[] all = new String[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--port";
    all[args.length + 1] = String.valueOf(port);
    // the node runs in this JVM, so this JVM stands in for the server process
    all[args.length + 2] = "--server-pid";
    all[args.length + 3] = String.valueOf(ProcessHandle.current().pid());
    return LoadTest.run(Options.parse(all), out);
  }

  private String output() {
    return captured.toString(StandardCharsets.UTF_8);
  }
}
