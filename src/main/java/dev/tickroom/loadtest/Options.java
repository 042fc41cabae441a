package dev.tickroom.loadtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The load generator's settings, parsed from the command line ({@link #parse}). Durations are in seconds and
 * may be fractional; {@code pingIntervalSeconds} applies to the lobby scenario only. {@code serverPid} is 0
 * when not given; {@code csv} and {@code chart} are null when not given.
 */
public record Options(
    Scenario scenario,
    String host,
    int port,
    int rooms,
    int playersPerRoom,
    int clients,
    int inFlight,
    double durationSeconds,
    double warmupSeconds,
    double rampPerSecond,
    int serverPid,
    Path csv,
    Path chart,
    boolean allowRemote,
    int ioThreads,
    double pingIntervalSeconds,
    boolean help,
    String sync,
    String format) {

  static final String HELP = """
      Usage: tickroom loadtest --scenario arena-load|echo-load|lobby [options]

      Drives many protocol-v1 connections (newline-delimited JSON over TCP) from one process and reports
      throughput, latency and, given the server's PID, its CPU time and memory. Prints a progress line each
      second, a summary at the end and, as the last line, one JSON object with the figures.

      Target
        --host HOST              server address (default 127.0.0.1). Only loopback targets (127.0.0.0/8,
                                 ::1, localhost) are accepted unless --allow-remote is given.
        --port PORT              server port (default 8000)
        --allow-remote           permit a non-loopback target

      Scenario
        --scenario NAME          arena-load: R rooms x P players of game arena, an input every 50 ms per
                                 client; figures are state messages delivered/s and input->ack latency.
                                 echo-load: N clients each keeping K pings in flight; figures are round
                                 trips/s and ping->pong latency.
                                 lobby: N clients say hello and stay connected in the lobby (no room),
                                 each sending one ping per --ping-interval; figures are round trips/s,
                                 ping->pong latency and the server's memory with N players connected.
        --rooms R                arena-load: number of rooms bench-0..bench-(R-1) (default 10)
        --players-per-room P     arena-load: players per room (default 10, the arena maximum)
        --clients N              echo-load, lobby: number of connections (default 100)
        --in-flight K            echo-load: pings kept in flight per connection (default 8)
        --ping-interval S        lobby: seconds between two pings of one client (default 10); the clients'
                                 pings are spread evenly over the interval
        --sync full|patch        state sync the clients ask for in hello (default full): patch = merge patches
        --format json|cbor       message format the clients ask for in hello (default json): cbor = CBOR
                                 documents with a string table, length-prefixed

      Timing
        --ramp-per-second N      new connections opened per second (default 1000)
        --warmup S               seconds after the ramp-up excluded from the figures (default 5)
        --duration S             measured seconds after the warm-up; the run then stops (default 30)

      Measurement and output
        --server-pid PID         server process to sample in /proc: CPU seconds over the measured window,
                                 CPU seconds per 1M deliveries (or round trips) and resident memory
        --csv FILE               write per-second figures as CSV
        --chart FILE.png         write a chart of delivered/s and latency p99 over time
        --io-threads N           selector threads (default min(2, CPUs))
        --help                   print this text

      Exit status: 0 when the run completed (even if errors were counted), 2 on bad arguments or a refused
      target, 3 when no client could connect and complete its handshake, 4 when every connection was lost
      before the end of the run.
      Notes: every connection needs one file descriptor and, on one target address, one ephemeral port
      (about 28k by default on Linux); raise `ulimit -n` and net.ipv4.ip_local_port_range for more.
      """;

  /** Total connections the run opens. */
  public int totalClients() {
    return scenario == Scenario.ARENA ? rooms * playersPerRoom : clients;
  }

  /** Parses command-line arguments ({@code --name value} or {@code --name=value}). */
  public static Options parse(String... args) {
    Scenario scenario = null;
    String host = "127.0.0.1";
    int port = 8000;
    int rooms = 10;
    int players = 10;
    int clients = 100;
    int inFlight = 8;
    double duration = 30;
    double warmup = 5;
    double ramp = 1000;
    int pid = 0;
    Path csv = null;
    Path chart = null;
    boolean allowRemote = false;
    int ioThreads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
    double pingInterval = 10;
    String sync = "full";
    String format = "json";
    Set<String> seen = new HashSet<>();

    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String inline = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        name = arg.substring(0, eq);
        inline = arg.substring(eq + 1);
      }
      if (!seen.add(name)) throw new UsageException(name + " given twice");
      switch (name) {
        case "--help", "-h" -> {
          return new Options(Scenario.ARENA, host, port, rooms, players, clients, inFlight, duration, warmup, ramp,
              0, null, null, false, ioThreads, pingInterval, true, "full", "json");
        }
        case "--allow-remote" -> {
          if (inline != null) throw new UsageException("--allow-remote takes no value");
          allowRemote = true;
        }
        default -> {
          String value = inline;
          if (value == null) {
            if (i + 1 >= args.length) throw new UsageException(name + " needs a value");
            value = args[++i];
          }
          switch (name) {
            case "--scenario" -> {
              scenario = Scenario.byName(value);
              if (scenario == null) {
                throw new UsageException("unknown scenario '" + value + "' (arena-load, echo-load or lobby)");
              }
            }
            case "--host" -> {
              if (value.isBlank()) throw new UsageException("--host is empty");
              host = value.trim();
            }
            case "--port" -> port = intIn(name, value, 1, 65_535);
            case "--rooms" -> rooms = intIn(name, value, 1, 1_000_000);
            case "--players-per-room" -> players = intIn(name, value, 1, 10_000);
            case "--clients" -> clients = intIn(name, value, 1, 10_000_000);
            case "--in-flight" -> inFlight = intIn(name, value, 1, 100_000);
            case "--duration" -> duration = seconds(name, value, false);
            case "--warmup" -> warmup = seconds(name, value, true);
            case "--ramp-per-second" -> ramp = positive(name, value);
            case "--server-pid" -> pid = intIn(name, value, 1, Integer.MAX_VALUE);
            case "--csv" -> csv = Path.of(value);
            case "--chart" -> chart = Path.of(value);
            case "--io-threads" -> ioThreads = intIn(name, value, 1, 64);
            case "--ping-interval" -> {
              pingInterval = seconds(name, value, false);
              if (pingInterval < 0.01) throw new UsageException(name + " must be at least 0.01 seconds, got " + value);
            }
            case "--sync" -> {
              if (!value.equals("full") && !value.equals("patch")) throw new UsageException("--sync must be full or patch");
              sync = value;
            }
            case "--format" -> {
              if (!value.equals("json") && !value.equals("cbor")) throw new UsageException("--format must be json or cbor");
              format = value;
            }
            default -> throw new UsageException("unknown option '" + arg + "'");
          }
        }
      }
    }

    if (scenario == null) throw new UsageException("--scenario is required (arena-load, echo-load or lobby)");
    switch (scenario) {
      case ARENA -> rejectIfGiven(seen, scenario, "--clients", "--in-flight", "--ping-interval");
      case ECHO -> rejectIfGiven(seen, scenario, "--rooms", "--players-per-room", "--ping-interval");
      case LOBBY -> rejectIfGiven(seen, scenario, "--rooms", "--players-per-room", "--in-flight");
    }
    long total = scenario == Scenario.ARENA ? (long) rooms * players : clients;
    if (total > 10_000_000) throw new UsageException("too many connections: " + total);
    if (pid != 0 && !Files.isReadable(Path.of("/proc/" + pid + "/stat"))) {
      throw new UsageException("--server-pid " + pid + ": no such process (cannot read /proc/" + pid + "/stat)");
    }
    return new Options(scenario, host, port, rooms, players, clients, inFlight, duration, warmup, ramp, pid, csv,
        chart, allowRemote, ioThreads, pingInterval, false, sync, format);
  }

  private static void rejectIfGiven(Set<String> seen, Scenario scenario, String... names) {
    for (String n : names) {
      if (seen.contains(n)) throw new UsageException(n + " does not apply to " + scenario.cliName());
    }
  }

  private static int intIn(String name, String value, int min, int max) {
    long v;
    try {
      v = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(name + " needs an integer, got '" + value + "'");
    }
    if (v < min || v > max) throw new UsageException(name + " must be in " + min + ".." + max + ", got " + v);
    return (int) v;
  }

  private static double seconds(String name, String value, boolean zeroAllowed) {
    double v = number(name, value);
    if (v < 0 || (!zeroAllowed && v == 0) || v > 7 * 24 * 3600) {
      throw new UsageException(name + " must be " + (zeroAllowed ? ">= 0" : "> 0") + " seconds, got " + value);
    }
    return v;
  }

  private static double positive(String name, String value) {
    double v = number(name, value);
    if (!(v > 0)) throw new UsageException(name + " must be > 0, got " + value);
    return v;
  }

  private static double number(String name, String value) {
    try {
      double v = Double.parseDouble(value.trim());
      if (Double.isNaN(v) || Double.isInfinite(v)) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException(name + " needs a number, got '" + value + "'");
    }
  }
}
