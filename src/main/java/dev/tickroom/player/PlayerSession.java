package dev.tickroom.player;

import dev.tickroom.config.Settings;
import dev.tickroom.matchmaking.Matchmaker;
import dev.tickroom.matchmaking.Matchmaking;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.ClientMessage;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.room.RoomEntity;
import dev.tickroom.room.RoomEvent;
import dev.tickroom.room.RoomListing;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * One actor per client connection, whatever its transport. It speaks the protocol with one client, one
 * behavior per protocol state, each receiving only what that state expects:
 * <pre>
 * awaitingHello --hello--> resuming (the Handshake checks it) --> lobby, or joining its room; refused --> closing
 * lobby --join--> joining --joined--> inRoom --leave--> lobby
 *                 joining --refused, no answer, room closed--> lobby (inRoom when it re-joined its own room)
 * inRoom --join another room--> joining;  inRoom --kicked, room closed--> lobby
 * inRoom --the room's actor stopped--> reattaching --joined (shown to the client)--> inRoom
 * any of them --the session closes the connection--> closing --the streams end--> stopped
 * </pre>
 * Which room the player is in, joins and leaves are kept by {@link Membership}.
 *
 * <p>Inbound lines arrive one at a time with backpressure (each is acknowledged), so a flooding client
 * is slowed down at the socket; the token bucket answers {@code rate_limited} and closes the connection
 * of a client that keeps flooding. A client's lines take effect in the order sent (PROTOCOL.md, "Order"):
 * a line for a room ({@code input}, {@code chat}, {@code leave}, {@code join}) that arrives while a join or
 * re-attach is answered waits, a bounded number of them, and is handled once the answer came; other lines
 * ({@code ping}) are answered at once.
 */
public final class PlayerSession {

  /** Messages a session handles; none of them crosses nodes (room events arrive through an adapter). */
  public interface Command extends NoSerializationVerificationNeeded {}

  /** The acknowledgement the inbound stream waits for before it sends the next line. */
  public enum Ack implements NoSerializationVerificationNeeded { INSTANCE }

  /** The inbound stream started. */
  public record ClientStarted(ActorRef<Ack> ackTo) implements Command {}

  /** One decoded line from the client. */
  public record FromClient(ActorRef<Ack> ackTo, Decoded message) implements Command {}

  /** The client's side of the connection ended (closed, reset or failed). */
  public record ClientClosed(String reason) implements Command {}

  /** The outbound stream ended: normally after {@link Connection#close()}, or because the client was too slow. */
  public record OutboundClosed(String reason) implements Command {}

  /** The node is leaving the cluster: tell the client where to reconnect, then close. */
  public record NodeLeaving(List<String> nodes) implements Command {}

  record FromRoom(RoomEvent event) implements Command {}

  /** The {@link Handshake}'s answer to our hello. */
  record HelloChecked(Handshake.Result result, Throwable failure) implements Command {}

  enum HelloTimeout implements Command { INSTANCE }

  /** Sends the pending join again: a join can be lost while the room's shard moves between nodes. */
  enum JoinRetry implements Command { INSTANCE }

  /**
   * A room line that waited for a join's answer, now handled in the state the session is in. Its rate-limit
   * token was taken when it arrived.
   */
  record Deferred(Decoded message) implements Command {}

  /**
   * How often an unanswered join is sent again. Sharding drops the messages it buffered for a shard while
   * that shard hands off, so a join (or a resumed player's re-join) sent during a hand-off is lost; the
   * retry decides how long after the hand-off the player is back. At 1 s the rolling restart test saw
   * resumes of up to 3 s; each retry is one message.
   */
  static final Duration JOIN_RETRY = Duration.ofMillis(250);

  /** What a session needs from its node. */
  public record Deps(
      Settings settings,
      Supplier<String> nodeName,
      Handshake handshake,
      PlayerDirectory directory,
      SessionRegistry registry,
      Metrics metrics,
      Function<String, RecipientRef<RoomEntity.Command>> rooms,
      LongSupplier nanoClock,
      LongSupplier millisClock,
      Matchmaking matchmaking) {
    public Deps(Settings settings, Supplier<String> nodeName, Handshake handshake, PlayerDirectory directory,
        SessionRegistry registry, Metrics metrics, Function<String, RecipientRef<RoomEntity.Command>> rooms,
        LongSupplier nanoClock, LongSupplier millisClock) {
      this(settings, nodeName, handshake, directory, registry, metrics, rooms, nanoClock, millisClock, Matchmaking.NONE);
    }
  }

  /** v1.1: the matchmaker's answer to a quick join (or why there is none). */
  record Matched(Matchmaker.Found found, Throwable failure) implements Command {}

  /** v1.1: the room list for {@code list_rooms}. */
  record Listed(List<RoomListing> rooms, Throwable failure) implements Command {}

  /** A quick join in progress: what the client asked, and the rooms that refused it on the way. */
  private static final class QuickJoin {
    final ClientMessage.QuickJoin request;
    final List<String> avoid = new java.util.ArrayList<>();
    int attempts = 1;

    QuickJoin(ClientMessage.QuickJoin request) {
      this.request = request;
    }
  }

  /** Rooms a quick join may try (each refusal sends it to the matchmaker again) before the client hears no. */
  private static final int QUICK_JOIN_ATTEMPTS = 5;

  /** A session whose inputs all come through the actor (tests). */
  public static Behavior<Command> create(Deps deps, Connection connection) {
    return create(deps, connection, inputShortcut(deps));
  }

  /** A session that opens {@code inputs} for the connection's stream while it is in a room. */
  public static Behavior<Command> create(Deps deps, Connection connection, InputShortcut inputs) {
    int deferLimit = deferLimit(deps.settings());
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(2 * deferLimit + 1, stash ->
        new PlayerSession(deps, connection, inputs, ctx, timers, stash, deferLimit).awaitingHello())));
  }

  /**
   * How many inputs and chats wait for a join's answer: half of what a room takes from one member in one
   * tick ({@code tickroom.rooms.max-inputs-per-tick}), so that they and the inputs sent right after them fit
   * into the room's next tick. A join or leave may wait beyond that, up to twice as many lines.
   */
  static int deferLimit(Settings settings) {
    return Math.max(1, settings.rooms().maxInputsPerTick() / 2);
  }

  /** The input shortcut (and rate limit) for one new connection. */
  public static InputShortcut inputShortcut(Deps deps) {
    Settings.Limits limits = deps.settings().limits();
    return new InputShortcut(limits.ratePerSecond(), limits.rateBurst(), deps.nanoClock());
  }

  private final Deps deps;
  private final Settings.Limits limits;
  private final Connection connection;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  /** Lines that wait: the line after a resuming hello, and room lines while a join is answered. */
  private final StashBuffer<Command> stash;
  private final int deferLimit;
  private final Logger log;
  private final ActorRef<RoomEvent> roomEvents;
  /** Rate limit, last input seq, and the stream's way to the room for inputs. */
  private final InputShortcut inputs;
  private final Deque<Long> strikes = new ArrayDeque<>();

  private String player;
  private String name;
  /** Who the handshake welcomed: identity, session generation, token nonce; set at welcome. */
  private Handshake.Welcomed seat;
  /** The player's rooms; set at welcome. */
  private Membership rooms;
  /**
   * The connection's hello asked for {@code sync: "patch"}: the same first valid hello that sets the
   * connection's {@link dev.tickroom.protocol.Wire}. Its rooms are told with each join, so that they compute
   * and send a merge patch only for members that use one.
   */
  private boolean patchSync;
  private String closeReason = "client closed the connection";
  /** The session has closed (or dropped) the connection: nothing more is sent. */
  private boolean closing;
  /** A newer session of the same player took over; this one no longer speaks for the player. */
  private boolean replaced;
  private Behavior<Command> closingBehavior;
  /** v1.1: the quick join in progress, from the request until {@code joined} or the last refusal. */
  private QuickJoin quick;

  private PlayerSession(Deps deps, Connection connection, InputShortcut inputs, ActorContext<Command> ctx,
      TimerScheduler<Command> timers, StashBuffer<Command> stash, int deferLimit) {
    this.deps = deps;
    this.limits = deps.settings().limits();
    this.connection = connection;
    this.ctx = ctx;
    this.timers = timers;
    this.stash = stash;
    this.deferLimit = deferLimit;
    this.log = ctx.getLog();
    this.roomEvents = ctx.messageAdapter(RoomEvent.class, FromRoom::new);
    this.inputs = inputs;
    timers.startSingleTimer(HelloTimeout.INSTANCE, limits.helloTimeout());
    log.info("connection opened: {}", connection.describe());
  }

  // ------------------------------------------------------------------ behaviours, one per protocol state

  /** Only {@code hello} is taken; it must come within the hello timeout. */
  private Behavior<Command> awaitingHello() {
    return common(Behaviors.receive(Command.class))
        .onMessage(FromClient.class, line -> onLine(line, this::beforeHello))
        .onMessage(HelloTimeout.class, msg -> {
          send(new ServerMessage.Error(ErrorCode.NOT_AUTHENTICATED, "no hello within " + limits.helloTimeout().toSeconds() + " s"));
          return close("no hello in time");
        })
        .build();
  }

  /**
   * A hello is being checked ({@link Handshake}: authenticator, resume token, directory). The next line waits,
   * unacknowledged, and is handled once the hello is answered.
   */
  private Behavior<Command> resuming() {
    return common(Behaviors.receive(Command.class))
        .onMessage(FromClient.class, line -> {
          stash.stash(line);
          return Behaviors.same();
        })
        .onMessage(HelloChecked.class, c -> unstash(onHelloChecked(c)))
        .build();
  }

  /** Welcomed, in no room. */
  private Behavior<Command> lobby() {
    return common(Behaviors.receive(Command.class))
        .onMessage(FromClient.class, line -> onLine(line, this::lobbyLine))
        .onMessage(Deferred.class, d -> onDeferred(d, this::lobbyLine))
        .onMessage(FromRoom.class, msg -> settle(lobbyHears(msg.event())))
        .build();
  }

  /** A join was sent (the player may be in that very room already); room lines wait for its answer. */
  private Behavior<Command> joining() {
    return common(Behaviors.receive(Command.class))
        .onMessage(FromClient.class, line -> onLine(line, msg -> whileJoining(msg, false)))
        .onMessage(Deferred.class, this::deferAgain)
        .onMessage(FromRoom.class, msg -> settle(joiningHears(msg.event())))
        .onMessage(JoinRetry.class, msg -> settle(onJoinRetry()))
        .onSignal(Terminated.class, this::onRoomStopped)
        .build();
  }

  /**
   * v1.1: a quick join asked the matchmaker for a room (the player may still be in its old room); room
   * lines wait, as while joining.
   */
  private Behavior<Command> matching() {
    return common(Behaviors.receive(Command.class))
        .onMessage(FromClient.class, line -> onLine(line, msg -> whileJoining(msg, false)))
        .onMessage(Deferred.class, this::deferAgain)
        .onMessage(Matched.class, m -> settle(onMatched(m)))
        .onMessage(FromRoom.class, msg -> settle(matchingHears(msg.event())))
        .onSignal(Terminated.class, t -> Behaviors.same())
        .build();
  }

  /** In a room whose actor answered the join. */
  private Behavior<Command> inRoom() {
    return common(Behaviors.receive(Command.class))
        .onMessage(FromClient.class, line -> onLine(line, this::roomLine))
        .onMessage(Deferred.class, d -> onDeferred(d, this::roomLine))
        .onMessage(FromRoom.class, msg -> settle(inRoomHears(msg.event())))
        .onSignal(Terminated.class, this::onRoomStopped)
        .build();
  }

  /**
   * The room's actor stopped while the player is in it (the room moved or restarts): the session joins it
   * again through sharding. States are dropped and room lines wait until the room answers; the client then
   * gets a fresh {@code joined} before any state of it (PROTOCOL.md, "Re-sync").
   */
  private Behavior<Command> reattaching() {
    return common(Behaviors.receive(Command.class))
        .onMessage(FromClient.class, line -> onLine(line, msg -> whileJoining(msg, true)))
        .onMessage(Deferred.class, this::deferAgain)
        .onMessage(FromRoom.class, msg -> settle(reattachingHears(msg.event())))
        .onMessage(JoinRetry.class, msg -> settle(onReattachRetry()))
        .build();
  }

  /** The session closed the connection and waits for its streams to end. */
  private Behavior<Command> closing() {
    if (closingBehavior == null) {
      closingBehavior = common(Behaviors.receive(Command.class))
          .onMessage(FromClient.class, line -> {
            done(line);
            return Behaviors.same();
          })
          .onMessage(Deferred.class, d -> {
            inputs.handled();
            return Behaviors.same();
          })
          .onAnyMessage(msg -> Behaviors.same())
          .onSignal(Terminated.class, t -> Behaviors.same())
          .build();
    }
    return closingBehavior;
  }

  /** Handlers every state shares. */
  private BehaviorBuilder<Command> common(BehaviorBuilder<Command> b) {
    return b
        .onMessage(ClientStarted.class, msg -> {
          msg.ackTo().tell(Ack.INSTANCE);
          return Behaviors.same();
        })
        .onMessage(ClientClosed.class, msg -> {
          if (!closing) closeReason = msg.reason();
          return Behaviors.stopped();
        })
        .onMessage(OutboundClosed.class, msg -> {
          if (!closing) closeReason = msg.reason();
          return Behaviors.stopped();
        })
        .onMessage(Listed.class, this::onListed)
        .onMessage(NodeLeaving.class, msg -> {
          send(new ServerMessage.Reconnect("node_leaving", msg.nodes()));
          return close("node leaving the cluster");
        })
        .onSignal(PostStop.class, sig -> onStop());
  }

  // ------------------------------------------------------------------ inbound lines

  /** Rate limit and framing checks, then the state's own handling; then the line is done. */
  private Behavior<Command> onLine(FromClient line, Function<Decoded, Behavior<Command>> state) {
    Behavior<Command> next = precheck(line.message()) ? Behaviors.same() : state.apply(line.message());
    done(line);
    return settle(next);
  }

  /** A line has had its effect (or waits as a {@link Deferred}): the stream may send more. */
  private void done(FromClient line) {
    inputs.handled();
    line.ackTo().tell(Ack.INSTANCE);
  }

  /** A line that waited for a join's answer, handled now in the state the session is in. */
  private Behavior<Command> onDeferred(Deferred d, Function<Decoded, Behavior<Command>> state) {
    Behavior<Command> next = state.apply(d.message());
    inputs.handled();
    return settle(next);
  }

  /** Keeps a room line until the join's answer; inputs may not overtake it meanwhile. */
  private Behavior<Command> defer(Decoded msg) {
    stash.stash(new Deferred(msg));
    inputs.hold();
    return Behaviors.same();
  }

  /** Still no answer: the line goes back to wait, in its place (it is behind all that waited before it). */
  private Behavior<Command> deferAgain(Deferred d) {
    stash.stash(d);
    return Behaviors.same();
  }

  /** Handles the lines that waited, in order, in {@code next} (which may make some of them wait again). */
  private Behavior<Command> unstash(Behavior<Command> next) {
    return settle(stash.unstashAll(settle(next)));
  }

  /** Rate limit and the checks that come before the session state; returns true when the line was handled. */
  private boolean precheck(Decoded msg) {
    if (!inputs.admit()) {
      long now = deps.nanoClock().getAsLong();
      strikes.addLast(now);
      long window = limits.rateAbuseWindow().toNanos();
      while (!strikes.isEmpty() && now - strikes.peekFirst() > window) strikes.removeFirst();
      if (strikes.size() > limits.rateAbuseStrikes()) {
        send(new ServerMessage.Error(ErrorCode.RATE_LIMITED, "sustained flooding; closing the connection"));
        close("rate limit abused");
        return true;
      }
      send(new ServerMessage.Error(ErrorCode.RATE_LIMITED,
          "more than " + (long) limits.ratePerSecond() + " messages per second; message dropped"));
      return true;
    }
    if (msg instanceof Decoded.Invalid inv) {
      if (ErrorCode.FRAME_TOO_LARGE.equals(inv.code())) {
        send(new ServerMessage.Error(inv.code(), inv.message()));
        close("frame too large");
        return true;
      }
      if (ErrorCode.BAD_JSON.equals(inv.code())) {
        send(new ServerMessage.Error(inv.code(), inv.message()));
        return true;
      }
    }
    return false;
  }

  // ------------------------------------------------------------------ hello, resume, welcome

  private Behavior<Command> beforeHello(Decoded msg) {
    if (msg instanceof ClientMessage.Hello hello) return onHello(hello);
    if (msg instanceof Decoded.Invalid inv && "hello".equals(inv.type())) {
      send(new ServerMessage.Error(inv.code(), inv.message()));
      return Behaviors.same();
    }
    send(new ServerMessage.Error(ErrorCode.NOT_AUTHENTICATED, "say hello first: {\"type\":\"hello\",\"name\":\"...\"}"));
    return Behaviors.same();
  }

  private Behavior<Command> onHello(ClientMessage.Hello hello) {
    timers.cancel(HelloTimeout.INSTANCE);
    patchSync = hello.patch();
    ctx.pipeToSelf(deps.handshake().hello(new Handshake.Request(hello, connection.address(), roomEvents)), HelloChecked::new);
    return resuming();
  }

  private Behavior<Command> onHelloChecked(HelloChecked checked) {
    if (checked.result() instanceof Handshake.Welcomed w) return welcome(w);
    if (checked.result() instanceof Handshake.Refused r) {
      send(new ServerMessage.Error(r.code(), r.message()));
      return close("hello refused: " + r.code());
    }
    log.error("hello check failed for {}", connection.describe(), checked.failure());
    send(new ServerMessage.Error(ErrorCode.SERVER_BUSY, "could not check the hello; try again"));
    return close("hello check failed");
  }

  /** The handshake has written the player's directory entry; the client learns who it is. */
  private Behavior<Command> welcome(Handshake.Welcomed w) {
    this.seat = w;
    this.player = w.player();
    this.name = w.name();
    this.rooms = new Membership(player, name, deps.rooms(), roomEvents, ctx, inputs, connection, w.identity(),
        patchSync);
    if (w.notice() != null) send(w.notice());
    send(w.welcome());
    if (w.backToRoom() != null) return startJoin(w.backToRoom(), null);
    return lobby();
  }

  // ------------------------------------------------------------------ lines in each state

  /** What every welcomed state answers the same way; room lines are not passed here. */
  private Behavior<Command> anyState(Decoded msg) {
    if (msg instanceof Decoded.Invalid inv) {
      send(new ServerMessage.Error(inv.code(), inv.message()));
    } else if (msg instanceof ClientMessage.Ping ping) {
      send(new ServerMessage.Pong(ping.t()));
    } else if (msg instanceof ClientMessage.Hello) {
      send(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "hello was already received on this connection"));
    } else if (msg instanceof ClientMessage.ListRooms l) {
      ctx.pipeToSelf(deps.matchmaking().list(l.game()), Listed::new);
    }
    return Behaviors.same();
  }

  private Behavior<Command> lobbyLine(Decoded msg) {
    if (msg instanceof ClientMessage.Join join) return startJoin(join.room(), join.game(), join.options(), null);
    if (msg instanceof ClientMessage.QuickJoin q) return startQuickJoin(q);
    if (msg instanceof ClientMessage.Input) notInRoom("input");
    else if (msg instanceof ClientMessage.Leave) notInRoom("leave");
    else if (msg instanceof ClientMessage.Chat) notInRoom("chat");
    else return anyState(msg);
    return Behaviors.same();
  }

  private Behavior<Command> roomLine(Decoded msg) {
    if (msg instanceof ClientMessage.Input input) {
      onInput(input);
    } else if (msg instanceof ClientMessage.Chat chat) {
      rooms.sendChat(chat.text());
    } else if (msg instanceof ClientMessage.Leave) {
      rooms.leave();
      saveRoom();
      return lobby();
    } else if (msg instanceof ClientMessage.Join join) {
      // another room: out of this one first (its left comes before the joined); the same room: answered
      // with its current state again
      if (!rooms.isRoom(join.room())) {
        rooms.leave();
        saveRoom();
      }
      return startJoin(join.room(), join.game(), join.options(), null);
    } else if (msg instanceof ClientMessage.QuickJoin q) {
      return startQuickJoin(q);
    } else {
      return anyState(msg);
    }
    return Behaviors.same();
  }

  /**
   * While a join or re-attach is answered: room lines wait (PROTOCOL.md, "Order"). Past the bound, an input
   * sent while re-attaching is dropped without a word (the client sees it never acknowledged); anything else
   * is answered {@code rate_limited}.
   */
  private Behavior<Command> whileJoining(Decoded msg, boolean reattaching) {
    boolean control = msg instanceof ClientMessage.Join || msg instanceof ClientMessage.Leave
        || msg instanceof ClientMessage.QuickJoin;
    if (!control && !(msg instanceof ClientMessage.Input) && !(msg instanceof ClientMessage.Chat)) return anyState(msg);
    if (stash.size() < (control ? 2 * deferLimit : deferLimit)) return defer(msg);
    if (reattaching && msg instanceof ClientMessage.Input) return Behaviors.same();
    send(new ServerMessage.Error(ErrorCode.RATE_LIMITED,
        "more than " + stash.size() + " messages while the room answers the join; message dropped"));
    return Behaviors.same();
  }

  private void onInput(ClientMessage.Input input) {
    long lastSeq = inputs.lastSeq();
    if (input.seq() <= lastSeq) {
      send(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "seq must increase: " + input.seq() + " after " + lastSeq));
      return;
    }
    inputs.lastSeq(input.seq());
    rooms.sendInput(input.seq(), input.data());
  }

  private void notInRoom(String what) {
    send(new ServerMessage.Error(ErrorCode.NOT_IN_ROOM, what + " needs a room: join one first"));
  }

  // ------------------------------------------------------------------ joining

  private Behavior<Command> startJoin(String roomId, String game) {
    return startJoin(roomId, game, null, null);
  }

  private Behavior<Command> startJoin(String roomId, String game, com.fasterxml.jackson.databind.JsonNode options,
      java.util.Map<String, Object> label) {
    rooms.join(roomId, game, options, label);
    timers.startTimerWithFixedDelay(JoinRetry.INSTANCE, JOIN_RETRY);
    return joining();
  }

  private void endJoin() {
    rooms.joinEnded();
    timers.cancel(JoinRetry.INSTANCE);
  }

  /**
   * The room answered the join (or, after it moved, the re-attach): the client sees {@code joined} before
   * any state of this membership, then the lines that waited are handled.
   */
  private Behavior<Command> onJoined(RoomEvent.Joined j) {
    endJoin();
    quick = null;
    rooms.enter(j);
    saveRoom();
    send(new ServerMessage.Joined(j.roomId(), j.game(), j.player(), j.tick(), j.state()));
    if (closing) return closing();
    rooms.openFastPaths();
    return unstash(inRoom());
  }

  /** A join of the room the player is in did not succeed: still in it. */
  private Behavior<Command> backInRoom() {
    rooms.reopenInputs();
    return unstash(inRoom());
  }

  private Behavior<Command> onJoinRetry() {
    if (rooms.retry()) return Behaviors.same();
    String lost = rooms.joining();
    endJoin();
    quick = null;
    send(new ServerMessage.Error(ErrorCode.ROOM_UNAVAILABLE, "room '" + lost + "' did not answer; try again"));
    return rooms.room() != null ? backInRoom() : unstash(lobby());
  }

  private Behavior<Command> onReattachRetry() {
    if (rooms.retry()) return Behaviors.same();
    return lostRoom(new ServerMessage.Error(ErrorCode.ROOM_UNAVAILABLE,
        "room '" + rooms.room() + "' moved and did not answer; join it again"));
  }

  /** Re-attaching failed: the client is told it is out of the room, and why. */
  private Behavior<Command> lostRoom(ServerMessage.Error why) {
    String room = rooms.room();
    endJoin();
    rooms.drop();
    saveRoom();
    send(new ServerMessage.Left(room));
    send(why);
    return unstash(lobby());
  }

  /** Our room's actor stopped while we are in it: it moved (hand-off, node loss) or restarts. Join it again. */
  private Behavior<Command> onRoomStopped(Terminated t) {
    if (!rooms.lost(t.getRef())) return Behaviors.same();
    log.info("room {} of player {} stopped; re-attaching", rooms.room(), player);
    return reattach();
  }

  /**
   * The room hands off to another node and said so before it stops (death watch of a room on a leaving node
   * is only told once that node is gone, seconds later): join it again at once; sharding holds or drops the
   * join until the room's new home is known, and the retry covers a drop.
   */
  private Behavior<Command> reattach() {
    rooms.rejoin();
    timers.startTimerWithFixedDelay(JoinRetry.INSTANCE, JOIN_RETRY);
    return reattaching();
  }

  // ------------------------------------------------------------------ room events in each state

  /** While the matchmaker answers: the old room (if any) still speaks; the session stays until the answer. */
  private Behavior<Command> matchingHears(RoomEvent event) {
    if (event instanceof RoomEvent.Joined j) {
      if (!rooms.isRoom(j.roomId())) rooms.leaveStray(j);
      return Behaviors.same();
    }
    return hears(event, Behaviors::same);
  }

  private Behavior<Command> lobbyHears(RoomEvent event) {
    if (event instanceof RoomEvent.Joined j) {
      rooms.leaveStray(j);
      return Behaviors.same();
    }
    return hears(event, Behaviors::same);
  }

  private Behavior<Command> joiningHears(RoomEvent event) {
    if (event instanceof RoomEvent.Joined j) {
      // an answer from a room whose left is due is older than the leave (the rooms answer in order)
      if (rooms.isJoining(j.roomId()) && !rooms.isLeaving(j.roomId())) return onJoined(j);
      if (!rooms.isRoom(j.roomId())) rooms.leaveStray(j);
      return Behaviors.same();
    }
    if (event instanceof RoomEvent.Rejected r) {
      if (!rooms.isJoining(r.roomId()) || rooms.isLeaving(r.roomId())) return Behaviors.same();
      endJoin();
      if (retryQuickJoin(r)) return matching();
      send(new ServerMessage.Error(r.code(), r.message()));
      return rooms.room() != null ? backInRoom() : unstash(lobby());
    }
    if (event instanceof RoomEvent.Closed c && rooms.isJoining(c.roomId())) {
      endJoin();
      quick = null;
      if (rooms.isRoom(c.roomId())) {
        rooms.drop();
        saveRoom();
      }
      send(new ServerMessage.Error(ErrorCode.ROOM_CLOSED, c.reason()));
      send(new ServerMessage.Left(c.roomId()));
      return unstash(lobby());
    }
    // out of the room it joins again (kicked): the join's answer brings the player back
    return hears(event, Behaviors::same);
  }

  private Behavior<Command> inRoomHears(RoomEvent event) {
    if (event instanceof RoomEvent.Joined j) {
      if (!rooms.isRoom(j.roomId())) rooms.leaveStray(j);
      // the room came back on another actor and said so: the client re-syncs; from the same actor it is a
      // second answer to a join that was sent twice
      else if (rooms.isNewActor(j)) return onJoined(j);
      return Behaviors.same();
    }
    if (event instanceof RoomEvent.Moving m && rooms.moving(m.roomId())) return reattach();
    return hears(event, this::lobby);
  }

  private Behavior<Command> reattachingHears(RoomEvent event) {
    if (event instanceof RoomEvent.Joined j) {
      if (rooms.isJoining(j.roomId())) return onJoined(j);
      rooms.leaveStray(j);
      return Behaviors.same();
    }
    if (event instanceof RoomEvent.Rejected r && rooms.isJoining(r.roomId())) {
      return lostRoom(new ServerMessage.Error(r.code(), r.message()));
    }
    if (event instanceof RoomEvent.Closed c && rooms.isJoining(c.roomId())) {
      endJoin();
      rooms.drop();
      saveRoom();
      send(new ServerMessage.Error(ErrorCode.ROOM_CLOSED, c.reason()));
      send(new ServerMessage.Left(c.roomId()));
      return unstash(lobby());
    }
    return hears(event, () -> {
      endJoin();
      return unstash(lobby());
    });
  }

  /**
   * Room events that mean the same in every welcomed state: states, the {@code left} of a leave, the game
   * removing the player, chat and errors. {@code out} is where the session goes when it is no longer in its room.
   */
  private Behavior<Command> hears(RoomEvent event, Supplier<Behavior<Command>> out) {
    if (event instanceof RoomEvent.State s) {
      rooms.offerState(s);
    } else if (event instanceof RoomEvent.Left l) {
      Membership.Due due = rooms.leftDue(l.roomId());
      if (due == Membership.Due.TELL) {
        send(new ServerMessage.Left(l.roomId()));
      } else if (due == Membership.Due.NONE && rooms.isRoom(l.roomId())) {
        // the game removed the player (a kick)
        rooms.drop();
        saveRoom();
        send(new ServerMessage.Left(l.roomId()));
        return out.get();
      }
    } else if (event instanceof RoomEvent.Replaced r) {
      // from our room, or (room null) from the handshake of a newer session while this one is in no room
      if (r.roomId() == null ? rooms.room() == null : rooms.isRoom(r.roomId())) return onReplaced(r);
    } else if (event instanceof RoomEvent.GameEvent e) {
      if (rooms.isRoom(e.roomId())) send(new ServerMessage.Event(e.roomId(), e.name(), e.data()));
    } else if (event instanceof RoomEvent.Finished f) {
      if (rooms.isRoom(f.roomId())) {
        // the final state went out before this; after it nothing more of this room
        rooms.drop();
        saveRoom();
        send(new ServerMessage.Left(f.roomId(), "finished", f.result()));
        return out.get();
      }
    } else if (event instanceof RoomEvent.Chat c) {
      if (rooms.isRoom(c.roomId())) send(new ServerMessage.Chat(c.roomId(), c.from(), c.text()));
    } else if (event instanceof RoomEvent.Error e) {
      send(new ServerMessage.Error(e.code(), e.message()));
    } else if (event instanceof RoomEvent.Closed c) {
      if (rooms.isRoom(c.roomId())) {
        rooms.drop();
        saveRoom();
        send(new ServerMessage.Error(ErrorCode.ROOM_CLOSED, c.reason()));
        send(new ServerMessage.Left(c.roomId()));
        return out.get();
      }
    }
    return Behaviors.same();
  }

  // ------------------------------------------------------------------ v1.1 quick join and room list

  private Behavior<Command> startQuickJoin(ClientMessage.QuickJoin q) {
    if (!deps.settings().games().containsKey(q.game())) {
      send(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "unknown game; this server runs " + deps.settings().games().keySet()));
      return Behaviors.same();
    }
    quick = new QuickJoin(q);
    askMatchmaker();
    return matching();
  }

  private void askMatchmaker() {
    if (rooms.room() != null) inputs.close(); // lines for the old room wait in matching(), so must its inputs
    ctx.pipeToSelf(deps.matchmaking().find(quick.request.game(), quick.request.filter(), player, quick.avoid), Matched::new);
  }

  /** Where the matchmaker seats the player: out of the old room (if another), into that one. */
  private Behavior<Command> onMatched(Matched m) {
    if (quick == null) return Behaviors.same();
    if (m.failure() != null) {
      if (quick.attempts++ < QUICK_JOIN_ATTEMPTS) {
        askMatchmaker();
        return Behaviors.same();
      }
      quick = null;
      send(new ServerMessage.Error(ErrorCode.ROOM_UNAVAILABLE, "matchmaking did not answer; try again"));
      return rooms.room() != null ? backInRoom() : unstash(lobby());
    }
    String target = m.found().room();
    if (rooms.room() != null && !rooms.isRoom(target)) {
      rooms.leave();
      saveRoom();
    }
    // the label goes with every quick join to the room, not only the one that opened it: joins from other
    // nodes may reach a new room before its opener's does, and only the first join creates
    return startJoin(target, quick.request.game(), quick.request.options(), m.found().label());
  }

  /** A room the matchmaker picked refused us: ask for another (the client does not see this); true if so. */
  private boolean retryQuickJoin(RoomEvent.Rejected r) {
    if (quick == null) return false;
    deps.matchmaking().refused(quick.request.game(), quick.request.filter(), player, r.roomId(), ErrorCode.ROOM_FULL.equals(r.code()));
    if (quick.attempts++ >= QUICK_JOIN_ATTEMPTS) {
      quick = null;
      return false;
    }
    quick.avoid.add(r.roomId());
    askMatchmaker();
    return true;
  }

  private Behavior<Command> onListed(Listed l) {
    if (l.failure() != null) {
      send(new ServerMessage.Error(ErrorCode.ROOM_UNAVAILABLE, "the room list is not available; try again"));
      return Behaviors.same();
    }
    List<ServerMessage.RoomListing> out = new java.util.ArrayList<>(l.rooms().size());
    for (RoomListing r : l.rooms()) out.add(new ServerMessage.RoomListing(r.room(), r.game(), r.players(), r.maxPlayers(), r.label()));
    send(new ServerMessage.Rooms(out));
    return Behaviors.same();
  }

  /** Another session of the same player (a resume on a new connection) took this one's place in the room. */
  private Behavior<Command> onReplaced(RoomEvent.Replaced r) {
    replaced = true;
    endJoin();
    rooms.drop();
    if (r.roomId() != null) send(new ServerMessage.Left(r.roomId()));
    send(new ServerMessage.Error(ErrorCode.SESSION_REPLACED, "this player resumed on another connection; closing this one"));
    return close("replaced by a resumed session");
  }

  /** The directory learns the player's room (null: none) as this session sees it. */
  private void saveRoom() {
    deps.directory().put(entry(rooms.room(), 0));
  }

  /** This session's directory entry: the player's room, and when its connection ended (0: connected). */
  private PlayerDirectory.Entry entry(String room, long disconnectedAt) {
    return seat.at(room, disconnectedAt);
  }

  // ------------------------------------------------------------------ outbound and closing

  private void send(ServerMessage message) {
    if (closing) return;
    if (message instanceof ServerMessage.Error e) deps.metrics().error(e.code());
    if (!connection.send(message)) {
      closeReason = "client too slow: more than " + limits.outboundQueue() + " messages waiting";
      closing = true;
      closeFastPaths();
      connection.abort(closeReason);
    }
  }

  /** Once the session closed the connection, whatever a handler returns, the session is closing. */
  private Behavior<Command> settle(Behavior<Command> next) {
    return closing && Behavior.isAlive(next) ? closing() : next;
  }

  private Behavior<Command> close(String reason) {
    if (!closing) {
      closeReason = reason;
      closing = true;
      closeFastPaths();
      connection.close();
    }
    return closing();
  }

  private void closeFastPaths() {
    inputs.close();
    if (rooms != null) rooms.closeFastPaths();
  }

  private Behavior<Command> onStop() {
    closeFastPaths();
    deps.registry().unregister(ctx.getSelf());
    if (!closing) connection.close();
    if (rooms != null && !replaced) {
      rooms.disconnect();
      String room = rooms.room() != null ? rooms.room() : rooms.joining();
      deps.directory().put(entry(room, deps.millisClock().getAsLong()));
    }
    log.info("connection closed: {} player {}: {}", connection.describe(), player, closeReason);
    return Behaviors.same();
  }
}
