package dev.tickroom.games.tictactoe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tickroom.game.Admission;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.games.tictactoe.TicTacToeState.Mark;
import dev.tickroom.games.tictactoe.TicTacToeState.Seat;
import dev.tickroom.protocol.Codec;
import java.util.List;

/**
 * Tic-tac-toe for two (PROTOCOL.md, "Game tictactoe"); one game per room. Stateless and thread-safe.
 *
 * <p>The first player to join plays X and moves first, the second plays O. {@code input.data} =
 * {@code {"cell": 0..8}}, cells numbered row by row. Inputs are applied at the next tick in arrival order;
 * a rejected move changes nothing and is answered with one error, checked in this order:
 * {@code game_over}, {@code waiting_for_opponent}, {@code not_your_turn} (also for a player without a
 * seat), {@code bad_move} (missing or invalid cell), {@code cell_taken}. A finished game (a line of three,
 * or a full board: winner {@code "draw"}) ends with {@link Step#finish(Object)} and the result
 * {@code {"winner": ...}}: the room sends the final state, then {@code left} with the result, and ends.
 *
 * <p>Leaving:
 * <ul>
 *   <li>While waiting for an opponent, the seated player's leave (for any reason) frees the seat; the next
 *       player to join plays X.
 *   <li>While playing, {@link LeaveReason#LEFT} or {@link LeaveReason#KICKED} forfeits: the opponent wins.
 *       {@link LeaveReason#DISCONNECTED} keeps the seat, so a resumed session (same {@link PlayerId}) rejoins
 *       with its mark. If it is the absent player's turn and it has been gone for
 *       {@value #FORFEIT_SECONDS} s worth of ticks, it forfeits.
 *   <li>After the game is over, the board, marks and result stay as they are until the room ends.
 * </ul>
 * Seats are only freed while waiting, so once two players hold marks every other player is rejected with
 * {@code room_full}.
 */
public final class TicTacToeGame implements Game<TicTacToeState> {
  public static final int TICK_HZ = 10;
  public static final int FORFEIT_SECONDS = 60;
  public static final long FORFEIT_TICKS = (long) FORFEIT_SECONDS * TICK_HZ;

  private static final GameSpec SPEC = new GameSpec("tictactoe", TICK_HZ, 2, true);
  private static final int[][] LINES = {
      {0, 1, 2}, {3, 4, 5}, {6, 7, 8}, // rows
      {0, 3, 6}, {1, 4, 7}, {2, 5, 8}, // columns
      {0, 4, 8}, {2, 4, 6}, // diagonals
  };

  public TicTacToeGame() {}

  @Override
  public GameSpec spec() {
    return SPEC;
  }

  @Override
  public TicTacToeState create(RoomSeed seed) {
    return new TicTacToeState();
  }

  @Override
  public Admission admit(TicTacToeState s, PlayerId who) {
    if (s.x != null && s.o != null && s.markOf(who) == null) {
      return Admission.reject("room_full", "Both seats of this tic-tac-toe game are taken.");
    }
    return Admission.accept();
  }

  @Override
  public Step<TicTacToeState> join(TicTacToeState s, PlayerId who, String name) {
    Mark mark = s.markOf(who);
    if (mark != null) {
      s.seat(mark).present = true; // back with its mark
    } else if (s.x == null) {
      s.x = new Seat(who);
    } else if (s.o == null) {
      s.o = new Seat(who); // the game starts, X to move
    }
    // otherwise a player without a seat (only if admit was bypassed): it watches
    return Step.of(s);
  }

  @Override
  public Step<TicTacToeState> leave(TicTacToeState s, PlayerId who, LeaveReason why) {
    Step<TicTacToeState> step = Step.of(s);
    Mark mark = s.markOf(who);
    if (mark == null) return step;
    if (s.waiting()) {
      s.x = null; // only X can be seated while waiting
    } else if (s.playing() && why != LeaveReason.DISCONNECTED) {
      s.winner = s.seat(mark.other()).player.value();
      step.finish(result(s));
    } else {
      Seat seat = s.seat(mark);
      seat.present = false;
      seat.absentSince = s.tick;
    }
    return step;
  }

  @Override
  public Step<TicTacToeState> tick(TicTacToeState s, long tick, List<Input> inputs) {
    s.tick = tick;
    Step<TicTacToeState> step = Step.of(s);
    boolean wasOver = s.over();
    for (int i = 0, n = inputs.size(); i < n; i++) {
      applyMove(s, inputs.get(i), step);
    }
    if (s.playing()) {
      Seat toMove = s.seat(s.turn);
      if (!toMove.present && tick - toMove.absentSince >= FORFEIT_TICKS) {
        s.winner = s.seat(s.turn.other()).player.value();
      }
    }
    if (!wasOver && s.over()) step.finish(result(s));
    return step;
  }

  /** The result a finished game ends its room with: {@code {"winner": "<id>" | "draw"}}. */
  static java.util.Map<String, String> result(TicTacToeState s) {
    return java.util.Map.of("winner", s.winner);
  }

  private static void applyMove(TicTacToeState s, Input input, Step<TicTacToeState> step) {
    PlayerId who = input.player();
    if (s.over()) {
      step.error(who, "game_over", "The game is over; no more moves.");
      return;
    }
    if (s.waiting()) {
      step.error(who, "waiting_for_opponent", "Wait for an opponent to join before moving.");
      return;
    }
    Mark mark = s.markOf(who);
    if (mark == null) {
      step.error(who, "not_your_turn", "You are not playing in this game.");
      return;
    }
    if (mark != s.turn) {
      step.error(who, "not_your_turn", "It is your opponent's turn.");
      return;
    }
    JsonNode data = input.data();
    JsonNode cellNode = data == null ? null : data.get("cell");
    if (cellNode == null || !cellNode.isIntegralNumber() || !cellNode.canConvertToInt()
        || cellNode.intValue() < 0 || cellNode.intValue() > 8) {
      step.error(who, "bad_move", "A move needs 'cell' as an integer from 0 to 8.");
      return;
    }
    int cell = cellNode.intValue();
    if (s.board[cell] != null) {
      step.error(who, "cell_taken", "Cell " + cell + " is already taken.");
      return;
    }
    s.board[cell] = mark;
    if (completesLine(s.board, cell, mark)) {
      s.winner = who.value();
    } else if (full(s.board)) {
      s.winner = TicTacToeState.DRAW;
    } else {
      s.turn = mark.other();
    }
  }

  private static boolean completesLine(Mark[] board, int cell, Mark mark) {
    for (int[] line : LINES) {
      if ((line[0] == cell || line[1] == cell || line[2] == cell)
          && board[line[0]] == mark && board[line[1]] == mark && board[line[2]] == mark) {
        return true;
      }
    }
    return false;
  }

  private static boolean full(Mark[] board) {
    for (Mark m : board) {
      if (m == null) return false;
    }
    return true;
  }

  /**
   * The shared view: {@code {"board": [9 x "" | "X" | "O"], "marks": {"<id>": "X" | "O"}, "turn": "<id>" | null,
   * "winner": "<id>" | "draw" | null}}; {@code turn} is null while waiting and after the game is over.
   */
  @Override
  public Object view(TicTacToeState s, PlayerId forWhom) {
    ObjectNode root = Codec.MAPPER.createObjectNode();
    ArrayNode board = root.putArray("board");
    for (Mark m : s.board) board.add(m == null ? "" : m.name());
    ObjectNode marks = root.putObject("marks");
    if (s.x != null) marks.put(s.x.player.value(), Mark.X.name());
    if (s.o != null) marks.put(s.o.player.value(), Mark.O.name());
    root.put("turn", s.playing() ? s.seat(s.turn).player.value() : null);
    root.put("winner", s.winner);
    return root;
  }

  @Override
  public JsonNode snapshot(TicTacToeState s) {
    return s.toJson();
  }

  @Override
  public TicTacToeState restore(RoomSeed seed, JsonNode snapshot) {
    return TicTacToeState.fromJson(snapshot);
  }
}
