package dev.tickroom.player;

import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.ClientMessage;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.ServerMessage;
import dev.tickroom.room.RoomEntity;
import dev.tickroom.room.RoomEvent;
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
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * One actor per client connection, whatever its transport. It owns the session: awaiting {@code hello}
 * -> active (in the lobby or in one room). It answers {@code ping} itself, forwards room traffic to the
 * room entity and relays what the room sends back to the client.
 *
 * <p>Inbound lines arrive one at a time with backpressure (each is acknowledged), so a flooding client
 * is slowed down at the socket; the token bucket answers {@code rate_limited} and closes the connection
 * of a client that keeps flooding.
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

  private static final java.time.Duration JOIN_RETRY = java.time.Duration.ofSeconds(1);
  private static final int JOIN_ATTEMPTS = 30;

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
      LongSupplier millisClock) {}

  /** A session whose inputs all come through the actor (tests). */
  public static Behavior<Command> create(Deps deps, Connection connection) {
    return create(deps, connection, inputShortcut(deps));
  }

  /** A session that opens {@code inputs} for the connection's stream while it is in a room. */
  public static Behavior<Command> create(Deps deps, Connection connection, InputShortcut inputs) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new PlayerSession(deps, connection, inputs, ctx, timers).awaitingHello()));
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
  private final Logger log;
  private final ActorRef<RoomEvent> roomEvents;
  /** Rate limit, last input seq, and the stream's way to the room for inputs. */
  private final InputShortcut inputs;
  private final Deque<Long> strikes = new ArrayDeque<>();

  private String player;
  private String name;
  /** The room this player is in, once the room confirmed it; else null. */
  private String room;
  /** The room a join was sent to and not yet answered; else null. */
  private String joining;
  private String joiningGame;
  private int joinAttempts;
  /** Rooms a leave was sent to whose {@code left} is still due. */
  private final Deque<String> leaving = new ArrayDeque<>(2);
  private ActorRef<RoomEntity.Command> roomActor;
  /** States of {@code room} go through this; null while not in a room or re-attaching. */
  private LocalStateLine states;
  /** True while re-attaching to a room that moved: its {@code joined} is not shown to the client. */
  private boolean reattaching;
  private String closeReason = "client closed the connection";
  private boolean closing;
  /** Said welcome: from then on this session keeps the player's directory entry. */
  private boolean welcomed;
  /** Who the handshake welcomed (identity, token nonce); null before welcome. */
  private Handshake.Welcomed seat;
  /** Lines that came after hello while the handshake was answering. */
  private final Deque<FromClient> afterHello = new ArrayDeque<>(1);
  /** A newer session of the same player took over; this one no longer speaks for the player. */
  private boolean replaced;

  private PlayerSession(
      Deps deps, Connection connection, InputShortcut inputs, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    this.deps = deps;
    this.limits = deps.settings().limits();
    this.connection = connection;
    this.ctx = ctx;
    this.timers = timers;
    this.log = ctx.getLog();
    this.roomEvents = ctx.messageAdapter(RoomEvent.class, FromRoom::new);
    this.inputs = inputs;
    timers.startSingleTimer(HelloTimeout.INSTANCE, limits.helloTimeout());
    log.info("connection opened: {}", connection.describe());
  }

  // ------------------------------------------------------------------ behaviours

  private Behavior<Command> awaitingHello() {
    return common(Behaviors.receive(Command.class).onMessage(FromClient.class, this::onLineBeforeHello))
        .onMessage(HelloTimeout.class, msg -> {
          if (player == null) {
            send(new ServerMessage.Error(ErrorCode.NOT_AUTHENTICATED, "no hello within " + limits.helloTimeout().toSeconds() + " s"));
            return close("no hello in time");
          }
          return Behaviors.same();
        })
        .build();
  }

  /**
   * Hello received; the handshake (authenticator, resume token, directory) is answering. Lines the client
   * sent after its hello wait, unacknowledged, until then (the stream sends no more until the first is
   * acknowledged, so one waits in practice), and are then handled in order.
   */
  private Behavior<Command> checkingHello() {
    return common(Behaviors.receive(Command.class).onMessage(FromClient.class, line -> {
      afterHello.addLast(line);
      return Behaviors.same();
    }))
        .onMessage(HelloChecked.class, this::onHelloChecked)
        .onMessage(HelloTimeout.class, msg -> Behaviors.same())
        .build();
  }

  private Behavior<Command> active() {
    return common(Behaviors.receive(Command.class).onMessage(FromClient.class, this::onLine))
        .onMessage(FromRoom.class, this::onRoomEvent)
        .onMessage(JoinRetry.class, msg -> onJoinRetry())
        .onSignal(Terminated.class, this::onRoomTerminated)
        .build();
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
        .onMessage(NodeLeaving.class, msg -> {
          send(new ServerMessage.Reconnect("node_leaving", msg.nodes()));
          return close("node leaving the cluster");
        })
        .onSignal(PostStop.class, sig -> onStop());
  }

  // ------------------------------------------------------------------ inbound lines

  /** Rate limit and the checks that come before the session state; returns true when the line was handled. */
  private boolean precheck(Decoded msg) {
    if (closing) return true;
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

  private Behavior<Command> onLineBeforeHello(FromClient line) {
    Behavior<Command> next = handleLineBeforeHello(line.message());
    done(line);
    return next;
  }

  /** A line has had its effect: the input shortcut may take inputs again, and the stream may send more. */
  private void done(FromClient line) {
    inputs.handled();
    line.ackTo().tell(Ack.INSTANCE);
  }

  private Behavior<Command> handleLineBeforeHello(Decoded msg) {
    if (precheck(msg)) return Behaviors.same();
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
    ctx.pipeToSelf(deps.handshake().hello(new Handshake.Request(hello, connection.address(), roomEvents)), HelloChecked::new);
    return checkingHello();
  }

  private Behavior<Command> onHelloChecked(HelloChecked checked) {
    if (checked.result() instanceof Handshake.Welcomed w) {
      seat = w;
      player = w.player();
      name = w.name();
      welcomed = true;
      if (w.notice() != null) send(w.notice());
      send(w.welcome());
      if (w.backToRoom() != null) requestJoin(w.backToRoom(), null);
      while (!afterHello.isEmpty()) onLine(afterHello.removeFirst());
      return active();
    }
    if (checked.result() instanceof Handshake.Refused r) {
      send(new ServerMessage.Error(r.code(), r.message()));
      close("hello refused: " + r.code());
    } else {
      log.error("hello check failed for {}", connection.describe(), checked.failure());
      send(new ServerMessage.Error(ErrorCode.SERVER_BUSY, "could not check the hello; try again"));
      close("hello check failed");
    }
    while (!afterHello.isEmpty()) done(afterHello.removeFirst());
    return awaitingHello();
  }

  private Behavior<Command> onLine(FromClient line) {
    handleLine(line.message());
    done(line);
    return Behaviors.same();
  }

  private void handleLine(Decoded msg) {
    if (precheck(msg)) return;
    if (msg instanceof Decoded.Invalid inv) {
      send(new ServerMessage.Error(inv.code(), inv.message()));
    } else if (msg instanceof ClientMessage.Ping ping) {
      send(new ServerMessage.Pong(ping.t()));
    } else if (msg instanceof ClientMessage.Input input) {
      onInput(input);
    } else if (msg instanceof ClientMessage.Join join) {
      onJoin(join);
    } else if (msg instanceof ClientMessage.Leave) {
      onLeave();
    } else if (msg instanceof ClientMessage.Chat chat) {
      if (room == null) notInRoom("chat");
      else deps.rooms().apply(room).tell(new RoomEntity.Chat(player, chat.text()));
    } else if (msg instanceof ClientMessage.Hello) {
      send(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "hello was already received on this connection"));
    }
  }

  private void onInput(ClientMessage.Input input) {
    if (room == null) {
      notInRoom("input");
      return;
    }
    long lastSeq = inputs.lastSeq();
    if (input.seq() <= lastSeq) {
      send(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "seq must increase: " + input.seq() + " after " + lastSeq));
      return;
    }
    inputs.lastSeq(input.seq());
    // the hot path goes straight to the room actor that answered our join, skipping the shard region and
    // shard (two actor hops per input); until it answered, or after it moved, through sharding
    RoomEntity.Input message = new RoomEntity.Input(player, input.seq(), input.data());
    if (roomActor != null) roomActor.tell(message);
    else deps.rooms().apply(room).tell(message);
  }

  private void onJoin(ClientMessage.Join join) {
    if (joining != null) {
      send(new ServerMessage.Error(ErrorCode.BAD_REQUEST, "a join to '" + joining + "' is still in progress"));
      return;
    }
    if (join.room().equals(room)) {
      // already there: answer with the room's current state again
      requestJoin(room, join.game());
      return;
    }
    if (room != null) leaveRoom();
    requestJoin(join.room(), join.game());
  }

  private void requestJoin(String roomId, String game) {
    joining = roomId;
    joiningGame = game;
    joinAttempts = 1;
    deps.rooms().apply(roomId).tell(new RoomEntity.Join(player, name, game, roomEvents, seat.identity()));
    timers.startTimerWithFixedDelay(JoinRetry.INSTANCE, JOIN_RETRY);
  }

  private Behavior<Command> onJoinRetry() {
    if (joining == null) {
      timers.cancel(JoinRetry.INSTANCE);
    } else if (joinAttempts >= JOIN_ATTEMPTS) {
      String lost = joining;
      joinDone();
      if (reattaching) {
        reattaching = false;
        detach();
        send(new ServerMessage.Left(lost));
      }
      send(new ServerMessage.Error(ErrorCode.ROOM_UNAVAILABLE, "room '" + lost + "' did not answer; try again"));
    } else {
      joinAttempts++;
      deps.rooms().apply(joining).tell(new RoomEntity.Join(player, name, joiningGame, roomEvents, seat.identity()));
    }
    return Behaviors.same();
  }

  private void joinDone() {
    joining = null;
    timers.cancel(JoinRetry.INSTANCE);
  }

  private void onLeave() {
    if (room == null) {
      notInRoom("leave");
      return;
    }
    leaveRoom();
  }

  private void leaveRoom() {
    deps.rooms().apply(room).tell(new RoomEntity.Leave(player, roomEvents));
    leaving.addLast(room);
    detach();
  }

  private void detach() {
    closeShortcuts();
    if (roomActor != null) ctx.unwatch(roomActor);
    roomActor = null;
    room = null;
    reattaching = false;
    deps.directory().put(seat.at(null, 0));
  }

  private void notInRoom(String what) {
    send(new ServerMessage.Error(ErrorCode.NOT_IN_ROOM, what + " needs a room: join one first"));
  }

  // ------------------------------------------------------------------ room events

  private Behavior<Command> onRoomEvent(FromRoom msg) {
    RoomEvent event = msg.event();
    if (event instanceof RoomEvent.State s) {
      if (!s.roomId().equals(room)) return Behaviors.same();
      if (states != null) states.offer(s.roomId(), s.tick(), s.ack(), s.state());
      else send(new ServerMessage.State(s.roomId(), s.tick(), s.ack(), s.state()));
    } else if (event instanceof RoomEvent.Joined j) {
      onJoined(j);
    } else if (event instanceof RoomEvent.Rejected r) {
      if (r.roomId().equals(joining)) {
        joinDone();
        if (reattaching) {
          reattaching = false;
          send(new ServerMessage.Left(r.roomId()));
        }
        send(new ServerMessage.Error(r.code(), r.message()));
      }
    } else if (event instanceof RoomEvent.Left l) {
      if (leaving.remove(l.roomId())) {
        send(new ServerMessage.Left(l.roomId()));
      } else if (l.roomId().equals(room)) {
        // the game removed us, or our player resumed on another connection
        detach();
        send(new ServerMessage.Left(l.roomId()));
      }
    } else if (event instanceof RoomEvent.Replaced r) {
      // from our room, or (room null) from the handshake of a newer session while we are in no room
      if (java.util.Objects.equals(r.roomId(), room)) {
        replaced = true;
        room = null;
        roomActor = null;
        if (r.roomId() != null) send(new ServerMessage.Left(r.roomId()));
        send(new ServerMessage.Error(ErrorCode.SESSION_REPLACED,
            "this player resumed on another connection; closing this one"));
        close("replaced by a resumed session");
      }
    } else if (event instanceof RoomEvent.Chat c) {
      if (c.roomId().equals(room)) send(new ServerMessage.Chat(c.roomId(), c.from(), c.text()));
    } else if (event instanceof RoomEvent.Error e) {
      send(new ServerMessage.Error(e.code(), e.message()));
    } else if (event instanceof RoomEvent.Closed c) {
      if (c.roomId().equals(room) || c.roomId().equals(joining)) {
        if (c.roomId().equals(joining)) joinDone();
        detach();
        send(new ServerMessage.Error(ErrorCode.ROOM_CLOSED, c.reason()));
        send(new ServerMessage.Left(c.roomId()));
      }
    }
    return Behaviors.same();
  }

  private void onJoined(RoomEvent.Joined j) {
    if (!j.roomId().equals(joining)) return; // an answer to a join we no longer wait for
    joinDone();
    boolean silent = reattaching && j.roomId().equals(room);
    reattaching = false;
    room = j.roomId();
    if (roomActor != null) ctx.unwatch(roomActor);
    roomActor = j.room();
    ctx.watch(roomActor);
    deps.directory().put(seat.at(room, 0));
    closeShortcuts();
    if (!silent) send(new ServerMessage.Joined(j.roomId(), j.game(), j.player(), j.tick(), j.state()));
    if (closing) return;
    inputs.open(roomActor, player);
    states = new LocalStateLine(connection, room);
    if (roomActor.path().address().hasLocalScope()) {
      roomActor.tell(new RoomEntity.AttachLocal(player, roomEvents, states));
    }
  }

  /** Before inputs or states may take another way (or none): close both shortcuts between stream and room. */
  private void closeShortcuts() {
    inputs.close();
    if (states != null) states.close();
    states = null;
  }

  /** Our room's actor stopped while we are in it: it moved (handoff, node loss). Re-attach through sharding. */
  private Behavior<Command> onRoomTerminated(Terminated t) {
    if (room != null && t.getRef().equals(roomActor)) {
      log.info("room {} of player {} moved; re-attaching", room, player);
      closeShortcuts();
      roomActor = null;
      reattaching = true;
      requestJoin(room, null);
    }
    return Behaviors.same();
  }

  // ------------------------------------------------------------------ outbound and closing

  private void send(ServerMessage message) {
    if (closing) return;
    if (message instanceof ServerMessage.Error e) deps.metrics().error(e.code());
    if (!connection.send(message)) {
      closeReason = "client too slow: more than " + limits.outboundQueue() + " messages waiting";
      closing = true;
      inputs.close();
      connection.abort(closeReason);
    }
  }

  private Behavior<Command> close(String reason) {
    if (!closing) {
      closeReason = reason;
      closing = true;
      inputs.close();
      connection.close();
    }
    return Behaviors.same();
  }

  private Behavior<Command> onStop() {
    closeShortcuts();
    deps.registry().unregister(ctx.getSelf());
    if (!closing) connection.close();
    if (welcomed && !replaced) {
      if (room != null) deps.rooms().apply(room).tell(new RoomEntity.Disconnect(player, roomEvents));
      deps.directory().put(seat.at(room != null ? room : joining, deps.millisClock().getAsLong()));
    }
    log.info("connection closed: {} player {}: {}", connection.describe(), player, closeReason);
    return Behaviors.same();
  }
}
