package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class OptionsTest {
  @Test
  void defaults() {
    Options o = Options.parse("--scenario", "arena-load");
    assertEquals(Scenario.ARENA, o.scenario());
    assertEquals("127.0.0.1", o.host());
    assertEquals(8000, o.port());
    assertEquals(10, o.rooms());
    assertEquals(10, o.playersPerRoom());
    assertEquals(100, o.totalClients());
    assertEquals(8, o.inFlight());
    assertEquals(0, o.serverPid());
    assertNull(o.csv());
    assertFalse(o.allowRemote());
    assertTrue(o.ioThreads() >= 1 && o.ioThreads() <= 2);
  }

  @Test
  void parsesEveryOption() {
    Options o = Options.parse("--scenario=echo-load", "--host", "::1", "--port", "9001", "--clients", "500",
        "--in-flight=3", "--duration", "12.5", "--warmup", "0", "--ramp-per-second", "250",
        "--server-pid", String.valueOf(ProcessHandle.current().pid()), "--csv", "a.csv", "--chart", "b.png",
        "--allow-remote", "--io-threads", "3");
    assertEquals(Scenario.ECHO, o.scenario());
    assertEquals("::1", o.host());
    assertEquals(9001, o.port());
    assertEquals(500, o.totalClients());
    assertEquals(3, o.inFlight());
    assertEquals(12.5, o.durationSeconds());
    assertEquals(0, o.warmupSeconds());
    assertEquals(250, o.rampPerSecond());
    assertEquals(ProcessHandle.current().pid(), o.serverPid());
    assertEquals(Path.of("a.csv"), o.csv());
    assertEquals(Path.of("b.png"), o.chart());
    assertTrue(o.allowRemote());
    assertEquals(3, o.ioThreads());
  }

  @Test
  void lobbyTakesClientsAndPingInterval() {
    Options o = Options.parse("--scenario", "lobby", "--clients", "10000", "--ping-interval", "2.5");
    assertEquals(Scenario.LOBBY, o.scenario());
    assertEquals(10_000, o.totalClients());
    assertEquals(2.5, o.pingIntervalSeconds());
    assertEquals(10, Options.parse("--scenario", "lobby").pingIntervalSeconds());
  }

  @Test
  void rejectsBadArguments() {
    String[][] bad = {
        {},
        {"--scenario", "chess-load"},
        {"--scenario", "arena-load", "--port", "0"},
        {"--scenario", "arena-load", "--port", "x"},
        {"--scenario", "arena-load", "--rooms"},
        {"--scenario", "arena-load", "--duration", "0"},
        {"--scenario", "arena-load", "--warmup", "-1"},
        {"--scenario", "arena-load", "--ramp-per-second", "NaN"},
        {"--scenario", "arena-load", "--clients", "5"},
        {"--scenario", "echo-load", "--rooms", "5"},
        {"--scenario", "arena-load", "--bogus", "1"},
        {"--scenario", "arena-load", "--port", "1", "--port", "2"},
        {"--scenario", "arena-load", "--server-pid", "2147483647"},
        {"--scenario", "arena-load", "--allow-remote=yes"},
        {"--scenario", "lobby", "--rooms", "5"},
        {"--scenario", "lobby", "--in-flight", "5"},
        {"--scenario", "echo-load", "--ping-interval", "1"},
        {"--scenario", "arena-load", "--ping-interval", "1"},
        {"--scenario", "lobby", "--ping-interval", "0"},
        {"--scenario", "lobby", "--ping-interval", "0.001"},
    };
    for (String[] args : bad) {
      assertThrows(UsageException.class, () -> Options.parse(args), String.join(" ", args));
    }
  }

  @Test
  void cliExitsWithUsageStatusOnBadArgumentsAndRemoteTargets() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    assertEquals(2, LoadTest.run(new String[] {"--scenario", "nope"}, out, errStream));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown scenario"));

    err.reset();
    assertEquals(2, LoadTest.run(new String[] {"--scenario", "echo-load", "--host", "192.0.2.1"}, out, errStream));
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("refusing non-loopback target") && message.contains("--allow-remote"), message);
  }

  @Test
  void helpDocumentsEveryOption() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    assertEquals(0, LoadTest.run(new String[] {"--help"}, out, out));
    String help = buf.toString(StandardCharsets.UTF_8);
    for (String option : new String[] {"--scenario", "--host", "--port", "--rooms", "--players-per-room",
        "--clients", "--in-flight", "--duration", "--warmup", "--ramp-per-second", "--server-pid", "--csv",
        "--chart", "--allow-remote", "--io-threads", "--ping-interval", "arena-load", "echo-load", "lobby"}) {
      assertTrue(help.contains(option), option);
    }
  }
}
