package dev.tickroom.loadtest;

import java.io.PrintStream;

/**
 * The {@code loadtest} command: runs the load scenarios of PROTOCOL.md ({@code arena-load},
 * {@code echo-load}) against any server speaking protocol v1. See {@code --help} ({@link Options#HELP}) for
 * the options, {@link LoadResult} for the figures.
 */
public final class LoadTest {
  /** Exit status for bad arguments or a refused target. */
  public static final int EXIT_USAGE = 2;

  private LoadTest() {}

  /** Command-line entry of {@code tickroom-loadtest.jar}. Exits the JVM. */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    System.out.flush();
    System.exit(status);
  }

  /**
   * Parses {@code args}, runs the load test and prints progress, summary and the JSON line to {@code out}.
   *
   * @return the exit status: 0 completed, 2 bad arguments or refused target, 3 nothing could connect,
   *     4 every connection was lost before the end
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
      if (options.help()) {
        out.print(Options.HELP);
        return 0;
      }
      LoadResult result = run(options, out);
      if (result.failure() != null) err.println("loadtest: " + result.failure());
      return result.exitCode();
    } catch (UsageException e) {
      err.println("loadtest: " + e.getMessage());
      err.println("Run 'java -jar tickroom-loadtest.jar --help' for the options.");
      return EXIT_USAGE;
    }
  }

  /**
   * Runs one load test with already parsed options, printing progress and results to {@code out}.
   *
   * @throws UsageException when the target is not a loopback address and remote targets are not allowed
   */
  public static LoadResult run(Options options, PrintStream out) {
    return new LoadRun(options, LoopbackGuard.target(options), out).run();
  }
}
