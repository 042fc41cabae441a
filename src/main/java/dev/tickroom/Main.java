package dev.tickroom;

import java.time.Duration;

/**
 * Command line: no argument starts a node. The load generator is a jar of its own,
 * {@code target/tickroom-loadtest.jar} ({@code dev.tickroom.loadtest.LoadTest}); {@code loadtest} here only
 * says so.
 */
public final class Main {
  private Main() {}

  /** The JVM's own setting for the common fork-join pool's size. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) throws Exception {
    // first, before anything touches ForkJoinPool or CompletableFuture: both read it once
    commonPoolOfAtLeastTwo();
    if (args.length > 0 && args[0].equals("loadtest")) {
      System.err.println("the load generator is its own jar now: java -jar target/tickroom-loadtest.jar --help");
      System.exit(2);
    }
    if (args.length > 0) {
      System.err.println("usage: java -jar tickroom.jar   start a node (settings: application.conf, env, -D)");
      System.err.println("load generator: java -jar tickroom-loadtest.jar --help");
      System.exit(2);
    }
    Node.start(Node.loadConfig(), Duration.ofSeconds(60));
  }

  /**
   * On a machine with 2 cores or fewer the JVM sizes its common pool to 1, and then CompletableFuture runs
   * every async continuation on a brand-new thread. Pekko's Java API hands out Scala-backed
   * CompletionStages whose plain {@code thenApply}/{@code whenComplete} are async ones, so every ask, every
   * {@code pipeToSelf} and every stream's termination started an OS thread: about 1.5 per connection in a
   * connection storm (README, Performance). A common pool of 2 keeps two threads for them instead. A value
   * the operator set ({@code -D}) is kept.
   */
  static void commonPoolOfAtLeastTwo() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }
}
