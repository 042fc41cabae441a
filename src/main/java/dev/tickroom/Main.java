package dev.tickroom;

import java.time.Duration;
import java.util.Arrays;

/** Command line: no argument starts a node; {@code loadtest ...} runs the load generator. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("loadtest")) {
      dev.tickroom.loadtest.LoadTest.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0) {
      System.err.println("usage: java -jar tickroom.jar            start a node (settings: application.conf, env, -D)");
      System.err.println("       java -jar tickroom.jar loadtest   run the load generator (--help for options)");
      System.exit(2);
    }
    Node.start(Node.loadConfig(), Duration.ofSeconds(60));
  }
}
