package dev.tickroom.loadtest;

/** The load scenarios of PROTOCOL.md ("Load scenarios"). */
public enum Scenario {
  /** R rooms x P players of game {@code arena}, each sending an input every 50 ms. */
  ARENA("arena-load"),
  /** N authenticated clients, each keeping K pings in flight. */
  ECHO("echo-load"),
  /**
   * N clients that say hello and then stay idle in the lobby (no room), each sending one ping per
   * interval to show it is still served: the memory a connected player costs the server.
   */
  LOBBY("lobby");

  private final String cliName;

  Scenario(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line and in the result JSON. */
  public String cliName() {
    return cliName;
  }

  /** Looks a scenario up by its command-line name; null when unknown. */
  static Scenario byName(String name) {
    for (Scenario s : values()) {
      if (s.cliName.equals(name)) return s;
    }
    return null;
  }
}
