package dev.tickroom;

import java.time.Duration;

/**
 * Command line: no argument starts a node. The load generator is a jar of its own,
 * {@code target/tickroom-loadtest.jar} ({@code dev.tickroom.loadtest.LoadTest}); {@code loadtest} here only
 * says so.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
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
}
