package dev.tickroom.player;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.room.RoomEntity;
import dev.tickroom.room.RoomEvent;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The rooms of one player session, as its actor sees them: the room the player is in (its game, the room
 * actor that answered the join, and the {@link StateLine} its states take), the join the session waits for
 * (with its attempts), and the rooms whose {@code left} the client is still owed. It sends what the session
 * tells rooms, and opens and closes the connection's two fast paths ({@link InputShortcut}, {@link StateLine})
 * so that they follow the membership exactly. Used by one session actor only, on its thread.
 */
final class Membership {
  /** A join is sent this many times (once a second) before the room counts as unavailable. */
  /** Attempts before a join is given up ({@code room_unavailable}): 30 s of {@link PlayerSession#JOIN_RETRY}. */
  static final int JOIN_ATTEMPTS = 120;

  private final String player;
  private final String name;
  private final Function<String, RecipientRef<RoomEntity.Command>> rooms;
  private final ActorRef<RoomEvent> events;
  private final ActorContext<?> ctx;
  private final InputShortcut inputs;
  private final Connection connection;
  private final dev.tickroom.game.Identity identity;
  /** The connection takes merge patches ({@code sync: "patch"}); every join says so to the room. */
  private final boolean patch;

  /** The room the player is in; null in none. */
  private String room;
  private String game;
  /** The room actor that answered the join; null while re-attaching after it stopped. */
  private ActorRef<RoomEntity.Command> actor;
  /** How this membership's states reach the client; null while re-attaching (states are dropped). */
  private StateLine states;

  /** The room a join was sent to and not yet answered; null when none. */
  private String joining;
  private String joiningGame;
  /** v1.1: the join's options for the game, and the label a quick join gives a room it opens. */
  private JsonNode joiningOptions;
  private java.util.Map<String, Object> joiningLabel;
  private int attempts;

  /** What a {@code left} from a room means to the session. */
  enum Due {
    /** No leave of ours waits for it. */
    NONE,
    /** It answers the client's leave: the client gets it. */
    TELL,
    /** It answers a leave the client never asked for (see {@link #leaveStray}). */
    SILENT
  }

  private record Leaving(String room, boolean tell) {}

  /** Rooms a leave was sent to whose {@code left} is still due, oldest first. */
  private final Deque<Leaving> leaving = new ArrayDeque<>(2);

  Membership(String player, String name, Function<String, RecipientRef<RoomEntity.Command>> rooms,
      ActorRef<RoomEvent> events, ActorContext<?> ctx, InputShortcut inputs, Connection connection) {
    this(player, name, rooms, events, ctx, inputs, connection, dev.tickroom.game.Identity.anonymous(), false);
  }

  /**
   * @param identity who the player is, as the handshake verified it; handed to the room's game with each join
   * @param patch the connection negotiated {@code sync: "patch"}; told to the room with each join
   */
  Membership(String player, String name, Function<String, RecipientRef<RoomEntity.Command>> rooms,
      ActorRef<RoomEvent> events, ActorContext<?> ctx, InputShortcut inputs, Connection connection,
      dev.tickroom.game.Identity identity, boolean patch) {
    this.identity = identity;
    this.patch = patch;
    this.player = player;
    this.name = name;
    this.rooms = rooms;
    this.events = events;
    this.ctx = ctx;
    this.inputs = inputs;
    this.connection = connection;
  }

  String room() {
    return room;
  }

  String joining() {
    return joining;
  }

  /** In a room whose actor is known (not re-attaching). */
  boolean attached() {
    return actor != null;
  }

  boolean isRoom(String roomId) {
    return roomId.equals(room);
  }

  boolean isJoining(String roomId) {
    return roomId.equals(joining);
  }

  /** A leave was sent to this room and its {@code left} has not come: a join answer from it is older than that leave. */
  boolean isLeaving(String roomId) {
    for (Leaving l : leaving) if (l.room().equals(roomId)) return true;
    return false;
  }

  /** Sends a join (game null: whatever the room plays, or the default game for a new room). Inputs wait for its answer. */
  void join(String roomId, String gameName) {
    join(roomId, gameName, null, null);
  }

  /** As {@link #join(String, String)}, with the join's options and (quick join) the label of a room it opens. */
  void join(String roomId, String gameName, JsonNode options, java.util.Map<String, Object> label) {
    inputs.close();
    joining = roomId;
    joiningGame = gameName;
    joiningOptions = options;
    joiningLabel = label;
    attempts = 1;
    rooms.apply(roomId).tell(new RoomEntity.Join(player, name, gameName, events, identity, options, label, patch));
  }

  /**
   * Joins the room the player is in again after its actor stopped (it moved or restarted), naming the
   * room's game, so a room that has to start afresh starts with the game it had.
   */
  void rejoin() {
    join(room, game);
  }

  /** Sends the pending join again (it may have been lost while the room's shard moved); false once attempts are used up. */
  boolean retry() {
    if (attempts >= JOIN_ATTEMPTS) return false;
    attempts++;
    rooms.apply(joining).tell(new RoomEntity.Join(player, name, joiningGame, events, identity, joiningOptions, joiningLabel,
        patch));
    return true;
  }

  /** The pending join was answered, refused, or given up. */
  void joinEnded() {
    joining = null;
  }

  /**
   * The room answered the join: from now on it is the player's room, and its states go through a new line
   * that starts after the answer's tick. The fast paths stay closed until {@link #openFastPaths()}.
   */
  void enter(RoomEvent.Joined j) {
    closeFastPaths();
    if (actor != null) ctx.unwatch(actor);
    room = j.roomId();
    game = j.game();
    actor = j.room();
    ctx.watch(actor);
    joining = null;
    states = new StateLine(connection, room, j.tick());
  }

  /** Once the client has been shown {@code joined}: inputs, and states of a room on this node, may bypass the session. */
  void openFastPaths() {
    inputs.open(actor, player);
    if (actor.path().address().hasLocalScope()) actor.tell(new RoomEntity.AttachLocal(player, events, states));
  }

  /** A join of the player's own room was not answered with {@code joined}: inputs may take the shortcut again. */
  void reopenInputs() {
    inputs.open(actor, player);
  }

  void closeFastPaths() {
    inputs.close();
    if (states != null) states.close();
    states = null;
  }

  /** Leaves the player's room; its {@code left} is due. Returns the room. */
  String leave() {
    String left = room;
    rooms.apply(left).tell(new RoomEntity.Leave(player, events));
    leaving.addLast(new Leaving(left, true));
    drop();
    return left;
  }

  /** Out of the room without a word to it: the room removed the player, closed, or gave it to a newer session. */
  void drop() {
    closeFastPaths();
    if (actor != null) ctx.unwatch(actor);
    actor = null;
    room = null;
    game = null;
  }

  /** The room's actor stopped; true when it was this player's room, which now needs re-attaching. */
  boolean lost(ActorRef<?> stopped) {
    if (actor == null || !actor.equals(stopped)) return false;
    closeFastPaths();
    actor = null;
    return true;
  }

  /**
   * The room said it is moving to another node ({@link RoomEvent.Moving}); true when it is this player's
   * room, which now needs re-attaching. Its actor is no longer watched: it stops once its snapshot is saved.
   */
  boolean moving(String roomId) {
    if (actor == null || !roomId.equals(room)) return false;
    ctx.unwatch(actor);
    return lost(actor);
  }

  /** Whether {@code left} from this room answers a leave of ours (then it is no longer due). */
  Due leftDue(String roomId) {
    for (var it = leaving.iterator(); it.hasNext(); ) {
      Leaving l = it.next();
      if (l.room().equals(roomId)) {
        it.remove();
        return l.tell() ? Due.TELL : Due.SILENT;
      }
    }
    return Due.NONE;
  }

  /** True when {@code j} comes from another actor than the one the player's room had: the room moved or restarted. */
  boolean isNewActor(RoomEvent.Joined j) {
    return !j.room().equals(actor);
  }

  /**
   * An answer to a join the session no longer waits for (e.g. one that came after the session gave up, or
   * the answer to a retry after the first answer refused): leave that room again, so it keeps no member that no session speaks for. An answer from
   * a room whose {@code left} is due is older than that leave, which removes the player anyway.
   */
  void leaveStray(RoomEvent.Joined j) {
    if (isLeaving(j.roomId())) return;
    rooms.apply(j.roomId()).tell(new RoomEntity.Leave(player, events));
    leaving.addLast(new Leaving(j.roomId(), false));
  }

  void sendInput(long seq, JsonNode data) {
    // straight to the room actor that answered the join, skipping the shard region and shard (two actor hops)
    RoomEntity.Input message = new RoomEntity.Input(player, seq, data);
    if (actor != null) actor.tell(message);
    else rooms.apply(room).tell(message);
  }

  void sendChat(String text) {
    rooms.apply(room).tell(new RoomEntity.Chat(player, text));
  }

  /** A state the room sent as a message: through the same line as the direct ones, so order and re-sync hold for both. */
  void offerState(RoomEvent.State s) {
    if (states != null && s.roomId().equals(room)) states.offer(s.roomId(), s.tick(), s.ack(), s.state(), s.delta());
  }

  /** The connection ended: the room keeps the player's place for a resume. */
  void disconnect() {
    closeFastPaths();
    if (room != null) rooms.apply(room).tell(new RoomEntity.Disconnect(player, events));
  }
}
