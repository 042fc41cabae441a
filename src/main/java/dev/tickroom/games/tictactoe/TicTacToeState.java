package dev.tickroom.games.tictactoe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tickroom.game.PlayerId;
import dev.tickroom.protocol.Codec;

/**
 * The state of one tic-tac-toe room: the board, the two seats, whose turn it is and the result.
 *
 * <p>Phases: <em>waiting</em> (at most X is seated, no result), <em>playing</em> (both seated, no result) and
 * <em>over</em> ({@link #winner} set). Seats are never emptied while playing or after the game is over, so
 * O is only ever seated when X is. Mutable and owned by one room; {@link TicTacToeGame} changes it in place.
 */
public final class TicTacToeState {
  static final int FORMAT = 1;
  /** The {@link #winner} of a game that ended in a draw. */
  static final String DRAW = "draw";

  /** A seat holder. {@code absentSince} is the tick its connection ended, meaningful while not present. */
  static final class Seat {
    final PlayerId player;
    boolean present = true;
    long absentSince;

    Seat(PlayerId player) {
      this.player = player;
    }
  }

  /** Cells 0..8, row by row: {@link Mark#X}, {@link Mark#O} or null. */
  final Mark[] board = new Mark[9];
  Seat x;
  Seat o;
  /** The mark to move next; X moves first. */
  Mark turn = Mark.X;
  /** The winner's player id, {@value #DRAW}, or null while the game is not over. */
  String winner;
  /** The last tick number the game saw. */
  long tick;

  /** A mark on the board. */
  public enum Mark {
    X, O;

    Mark other() {
      return this == X ? O : X;
    }
  }

  public boolean waiting() {
    return winner == null && o == null;
  }

  public boolean playing() {
    return winner == null && o != null;
  }

  public boolean over() {
    return winner != null;
  }

  /** The winner's id, {@code "draw"}, or null. */
  public String winner() {
    return winner;
  }

  /** The player's mark, or null if it holds no seat. */
  public Mark markOf(PlayerId who) {
    if (x != null && x.player.equals(who)) return Mark.X;
    if (o != null && o.player.equals(who)) return Mark.O;
    return null;
  }

  Seat seat(Mark mark) {
    return mark == Mark.X ? x : o;
  }

  // ------------------------------------------------------------------ snapshot

  ObjectNode toJson() {
    ObjectNode root = Codec.MAPPER.createObjectNode();
    root.put("version", FORMAT);
    root.put("tick", tick);
    ArrayNode cells = root.putArray("board");
    for (Mark m : board) cells.add(m == null ? "" : m.name());
    root.set("x", seatJson(x));
    root.set("o", seatJson(o));
    root.put("turn", turn.name());
    root.put("winner", winner);
    return root;
  }

  private static JsonNode seatJson(Seat seat) {
    if (seat == null) return Codec.MAPPER.nullNode();
    return Codec.MAPPER.createObjectNode()
        .put("player", seat.player.value())
        .put("present", seat.present)
        .put("absentSince", seat.absentSince);
  }

  /**
   * Rebuilds a state written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException if the snapshot is malformed or inconsistent
   */
  static TicTacToeState fromJson(JsonNode root) {
    if (root == null || !root.isObject()) throw bad("must be a JSON object");
    JsonNode version = root.get("version");
    if (version == null || !version.isInt() || version.intValue() != FORMAT) throw bad("'version' must be " + FORMAT);
    TicTacToeState s = new TicTacToeState();
    s.tick = longOf(root.get("tick"), "tick");
    JsonNode cells = root.get("board");
    if (cells == null || !cells.isArray() || cells.size() != 9) throw bad("'board' must be an array of 9 strings");
    for (int i = 0; i < 9; i++) s.board[i] = markOrEmpty(cells.get(i), "board");
    s.x = seatOf(root.get("x"), "x");
    s.o = seatOf(root.get("o"), "o");
    if (s.o != null && s.x == null) throw bad("'o' is seated without 'x'");
    Mark turn = markOrEmpty(root.get("turn"), "turn");
    if (turn == null) throw bad("'turn' must be \"X\" or \"O\"");
    s.turn = turn;
    JsonNode winner = root.get("winner");
    if (winner != null && !winner.isNull()) {
      if (!winner.isTextual()) throw bad("'winner' must be a string or null");
      s.winner = winner.textValue();
    }
    return s;
  }

  private static Seat seatOf(JsonNode n, String field) {
    if (n == null || n.isNull()) return null;
    JsonNode player = n.get("player");
    JsonNode present = n.get("present");
    if (player == null || !player.isTextual() || present == null || !present.isBoolean()) {
      throw bad("'" + field + "' must be null or {player, present, absentSince}");
    }
    Seat seat = new Seat(PlayerId.of(player.textValue()));
    seat.present = present.booleanValue();
    seat.absentSince = longOf(n.get("absentSince"), field + ".absentSince");
    return seat;
  }

  private static Mark markOrEmpty(JsonNode n, String field) {
    if (n != null && n.isTextual()) {
      switch (n.textValue()) {
        case "" -> { return null; }
        case "X" -> { return Mark.X; }
        case "O" -> { return Mark.O; }
        default -> { }
      }
    }
    throw bad("'" + field + "' holds something other than \"\", \"X\" or \"O\"");
  }

  private static long longOf(JsonNode n, String field) {
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) throw bad("'" + field + "' must be an integer");
    return n.longValue();
  }

  private static IllegalArgumentException bad(String what) {
    return new IllegalArgumentException("tictactoe snapshot: " + what);
  }
}
