package dev.tickroom.games.arena;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.Rng;
import dev.tickroom.protocol.Codec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole state of one arena room: players (by id, so iteration order is id order), players parked
 * after a disconnect, coins, the room's random generator and the last tick number seen.
 *
 * <p>Mutable and owned by one room; {@link ArenaGame} changes it in place. Everything in it is plain data,
 * so {@link #toJson()} and {@link #fromJson(JsonNode)} carry it to another node without loss.
 */
public final class ArenaState {
  /** Snapshot format version, written as {@code "version"}. */
  static final int FORMAT = 1;

  final Rng rng;
  long tick;
  final TreeMap<PlayerId, Player> players = new TreeMap<>();
  /** Disconnected players, oldest first (insertion order is parking order). */
  final LinkedHashMap<PlayerId, Parked> parked = new LinkedHashMap<>();
  final ArrayList<Coin> coins = new ArrayList<>();

  ArenaState(Rng rng, long tick) {
    this.rng = rng;
    this.tick = tick;
  }

  /** A player in the world. Positions and directions are integers (see {@link ArenaGame}). */
  public static final class Player {
    final PlayerId id;
    String name;
    int x;
    int y;
    int dx;
    int dy;
    int score;

    Player(PlayerId id, String name, int x, int y, int dx, int dy, int score) {
      this.id = id;
      this.name = name;
      this.x = x;
      this.y = y;
      this.dx = dx;
      this.dy = dy;
      this.score = score;
    }

    public PlayerId id() {
      return id;
    }

    public String name() {
      return name;
    }

    public int x() {
      return x;
    }

    public int y() {
      return y;
    }

    public int dx() {
      return dx;
    }

    public int dy() {
      return dy;
    }

    public int score() {
      return score;
    }
  }

  /** What is kept of a disconnected player until it comes back or the entry expires. */
  public record Parked(String name, int x, int y, int score, long since) {}

  /** A coin lying in the world. */
  public record Coin(int x, int y) {}

  /** The last tick number the game saw (0 before the first tick). */
  public long tick() {
    return tick;
  }

  /** The random generator's state, {@link Rng#state()}. */
  public long rngState() {
    return rng.state();
  }

  /** Players in the world, in id order (read-only). */
  public Map<PlayerId, Player> players() {
    return Collections.unmodifiableMap(players);
  }

  /** Disconnected players kept for a resume, oldest first (read-only). */
  public Map<PlayerId, Parked> parked() {
    return Collections.unmodifiableMap(parked);
  }

  /** Coins in the world (read-only). */
  public List<Coin> coins() {
    return Collections.unmodifiableList(coins);
  }

  // ------------------------------------------------------------------ snapshot

  /** The whole state as JSON. The rng state is written as a decimal string so no JSON tool can round it. */
  ObjectNode toJson() {
    ObjectNode root = Codec.MAPPER.createObjectNode();
    root.put("version", FORMAT);
    root.put("tick", tick);
    root.put("rng", Long.toString(rng.state()));
    ArrayNode ps = root.putArray("players");
    for (Player p : players.values()) {
      ps.addObject()
          .put("id", p.id.value())
          .put("name", p.name)
          .put("x", p.x)
          .put("y", p.y)
          .put("dx", p.dx)
          .put("dy", p.dy)
          .put("score", p.score);
    }
    ArrayNode pk = root.putArray("parked");
    parked.forEach((id, p) -> pk.addObject()
        .put("id", id.value())
        .put("name", p.name())
        .put("x", p.x())
        .put("y", p.y())
        .put("score", p.score())
        .put("since", p.since()));
    ArrayNode cs = root.putArray("coins");
    for (Coin c : coins) cs.addObject().put("x", c.x()).put("y", c.y());
    return root;
  }

  /**
   * Rebuilds a state written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException if the snapshot is malformed
   */
  static ArenaState fromJson(JsonNode root) {
    if (root == null || !root.isObject()) throw new IllegalArgumentException("arena snapshot must be a JSON object");
    intField(root, "version", FORMAT, FORMAT);
    long rngState;
    JsonNode rng = root.get("rng");
    try {
      rngState = Long.parseLong(rng == null ? "" : rng.asText());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("arena snapshot: 'rng' must be a decimal string of a 64-bit integer");
    }
    ArenaState s = new ArenaState(new Rng(rngState), longField(root, "tick"));
    for (JsonNode p : arrayField(root, "players")) {
      PlayerId id = PlayerId.of(textField(p, "id"));
      Player player = new Player(id, textField(p, "name"),
          intField(p, "x", 0, ArenaGame.WORLD), intField(p, "y", 0, ArenaGame.WORLD),
          intField(p, "dx", -1, 1), intField(p, "dy", -1, 1), intField(p, "score", 0, Integer.MAX_VALUE));
      if (s.players.put(id, player) != null) throw new IllegalArgumentException("arena snapshot: duplicate player " + id);
    }
    for (JsonNode p : arrayField(root, "parked")) {
      PlayerId id = PlayerId.of(textField(p, "id"));
      Parked entry = new Parked(textField(p, "name"),
          intField(p, "x", 0, ArenaGame.WORLD), intField(p, "y", 0, ArenaGame.WORLD),
          intField(p, "score", 0, Integer.MAX_VALUE), longField(p, "since"));
      if (s.parked.put(id, entry) != null) throw new IllegalArgumentException("arena snapshot: duplicate parked " + id);
    }
    for (JsonNode c : arrayField(root, "coins")) {
      s.coins.add(new Coin(intField(c, "x", 0, ArenaGame.WORLD), intField(c, "y", 0, ArenaGame.WORLD)));
    }
    return s;
  }

  private static Iterable<JsonNode> arrayField(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || !v.isArray()) throw new IllegalArgumentException("arena snapshot: '" + name + "' must be an array");
    return v;
  }

  private static String textField(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || !v.isTextual()) throw new IllegalArgumentException("arena snapshot: '" + name + "' must be a string");
    return v.textValue();
  }

  private static long longField(JsonNode node, String name) {
    JsonNode v = node.get(name);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new IllegalArgumentException("arena snapshot: '" + name + "' must be an integer");
    }
    return v.longValue();
  }

  private static int intField(JsonNode node, String name, int min, int max) {
    JsonNode v = node.get(name);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
      throw new IllegalArgumentException("arena snapshot: '" + name + "' must be an integer in " + min + ".." + max);
    }
    return v.intValue();
  }

  /** Drops parked entries parked more than {@code ttl} ticks before {@link #tick}. */
  void expireParked(long ttl) {
    if (parked.isEmpty()) return;
    Iterator<Parked> it = parked.values().iterator();
    while (it.hasNext()) {
      if (tick - it.next().since() > ttl) it.remove();
    }
  }
}
