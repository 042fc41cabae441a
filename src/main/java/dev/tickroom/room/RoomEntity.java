package dev.tickroom.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.cluster.CborSerializable;
import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.game.Admission;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameRegistry;
import dev.tickroom.game.Identity;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Delta;
import dev.tickroom.protocol.ViewDiff;
import dev.tickroom.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;

/**
 * One game room: a Cluster Sharding entity whose id is the room name. It owns the game state, ticks it at
 * the game's fixed rate, applies the inputs queued since the last tick in arrival order and sends the
 * resulting state to every member, encoded once per tick.
 *
 * <p>Behaviours: {@code loading} (asks the snapshot store whether this room ran before, stashing
 * messages) -> {@code vacant} (no game yet: the first join picks it) -> {@code running}.
 */
public final class RoomEntity {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Room");

  /** Messages a room handles. */
  public interface Command extends CborSerializable {}

  /** Enter the room (or re-attach a session of a player who is already a member). */
  public record Join(String player, String name, String game, ActorRef<RoomEvent> replyTo, Identity identity) implements Command {
    public Join(String player, String name, String game, ActorRef<RoomEvent> replyTo) {
      this(player, name, game, replyTo, null);
    }
  }

  public record Input(String player, long seq, JsonNode data) implements Command {}

  public record Leave(String player, ActorRef<RoomEvent> replyTo) implements Command {}

  /** The player's connection ended; it may come back with its resume token. Ignored if {@code session} was replaced. */
  public record Disconnect(String player, ActorRef<RoomEvent> session) implements Command {}

  public record Chat(String player, String text) implements Command {}

  public record GetInfo(ActorRef<Info> replyTo) implements Command {}

  /**
   * Where a member whose session runs on the room's own node takes its states: straight into the
   * connection's outbound queue, one actor hop fewer per member and tick than through the session.
   */
  public interface LocalStates {
    void offer(String roomId, long tick, long ack, byte[] view);

    /** {@code delta} (may be null) lets a {@code patch} connection send a merge patch instead of the view. */
    default void offer(String roomId, long tick, long ack, byte[] view, Delta delta) {
      offer(roomId, tick, ack, view);
    }
  }

  /**
   * From a session on this node, after it showed the client {@code joined}: send states to {@code line}
   * from now on. Never crosses the network (the session sends it only to a local room actor), so it skips
   * serialization checks.
   */
  public record AttachLocal(String player, ActorRef<RoomEvent> session, LocalStates line)
      implements Command, NoSerializationVerificationNeeded {}

  /** A room as the admin view and dashboard show it; {@code game} is null while no one has joined yet. */
  public record Info(String roomId, String game, long tick, int players) implements CborSerializable {}

  /** Sent by sharding at handoff and passivation: save a snapshot and stop. */
  public enum Stop implements Command { INSTANCE }

  enum Tick implements Command { INSTANCE }

  enum IdleTimeout implements Command { INSTANCE }

  record MemberGone(String player, ActorRef<RoomEvent> ref) implements Command {}

  record Loaded(RoomSnapshot snapshot, String failure) implements Command {}

  /** What a room needs from its node. */
  public record Deps(Settings.Rooms settings, GameRegistry games, SnapshotStore store, Metrics metrics) {}

  public static Behavior<Command> create(String roomId, Deps deps, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash -> Behaviors.withTimers(timers -> {
      ctx.pipeToSelf(deps.store().load(roomId),
          (snap, err) -> new Loaded(snap == null ? null : snap.orElse(null), err == null ? null : err.toString()));
      return new RoomEntity(roomId, deps, shard, ctx, stash, timers).loading();
    })));
  }

  private static final class Member {
    final String id;
    final String name;
    ActorRef<RoomEvent> ref;
    /** Set while the member's session is on this node and attached; else states go to {@code ref}. */
    LocalStates local;
    long ack = -1;
    int pending;
    /** This member's own view line, for a game that renders per member. */
    final ViewDiff views = new ViewDiff();

    Member(String id, String name, ActorRef<RoomEvent> ref) {
      this.id = id;
      this.name = name;
      this.ref = ref;
    }
  }

  private final String roomId;
  private final Deps deps;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<Command> ctx;
  private final StashBuffer<Command> stash;
  private final TimerScheduler<Command> timers;
  private final Logger log;
  private final Map<String, Member> members = new LinkedHashMap<>();

  private Game<Object> game;
  private Object state;
  private long seed;
  private long tick;
  private int snapshotEvery;
  private boolean ticking;
  private List<dev.tickroom.game.Input> pending = new ArrayList<>();
  /** The shared view line: each tick's view rendered once, with its merge patch from the tick before. */
  private final ViewDiff sharedViews = new ViewDiff();

  private RoomEntity(String roomId, Deps deps, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<Command> ctx, StashBuffer<Command> stash, TimerScheduler<Command> timers) {
    this.roomId = roomId;
    this.deps = deps;
    this.shard = shard;
    this.ctx = ctx;
    this.stash = stash;
    this.timers = timers;
    this.log = ctx.getLog();
  }

  // ------------------------------------------------------------------ loading

  private Behavior<Command> loading() {
    return Behaviors.receive(Command.class)
        .onMessage(Loaded.class, this::onLoaded)
        .onAnyMessage(msg -> {
          if (!stash.isFull()) stash.stash(msg);
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onLoaded(Loaded loaded) {
    if (loaded.failure() != null) log.warn("room {}: could not load its snapshot, starting fresh: {}", roomId, loaded.failure());
    RoomSnapshot snap = loaded.snapshot();
    if (snap != null) {
      Optional<Game<?>> g = deps.games().find(snap.game());
      if (g.isPresent()) {
        try {
          resume(snap, g.get());
          log.info("room {} resumed from snapshot at tick {} with {} members", roomId, tick, members.size());
          return stash.unstashAll(running());
        } catch (RuntimeException e) {
          log.error("room {}: snapshot of game {} could not be restored, starting fresh", roomId, snap.game(), e);
          members.clear();
        }
      } else {
        log.warn("room {}: snapshot names game {} which this node does not have; starting fresh", roomId, snap.game());
      }
    }
    timers.startSingleTimer(IdleTimeout.INSTANCE, deps.settings().idleTimeout());
    return stash.unstashAll(vacant());
  }

  @SuppressWarnings("unchecked")
  private void resume(RoomSnapshot snap, Game<?> g) {
    game = (Game<Object>) g;
    seed = snap.seed();
    tick = snap.tick();
    state = game.restore(new RoomSeed(roomId, seed, Map.of()), snap.gameState());
    ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
    for (RoomSnapshot.Member m : snap.members()) {
      ActorRef<RoomEvent> ref = resolver.resolveActorRef(m.session());
      Member member = new Member(m.player(), m.name(), ref);
      member.ack = m.ack();
      members.put(m.player(), member);
      deps.metrics().playersChanged(1);
      ctx.watchWith(ref, new MemberGone(m.player(), ref));
    }
    startTicking();
    if (members.isEmpty()) timers.startSingleTimer(IdleTimeout.INSTANCE, deps.settings().idleTimeout());
  }

  // ------------------------------------------------------------------ vacant: no game chosen yet

  private Behavior<Command> vacant() {
    return Behaviors.receive(Command.class)
        .onMessage(Join.class, this::onFirstJoin)
        .onMessage(Leave.class, msg -> {
          msg.replyTo().tell(new RoomEvent.Left(roomId));
          return Behaviors.same();
        })
        .onMessage(GetInfo.class, msg -> {
          msg.replyTo().tell(new Info(roomId, null, 0, 0));
          return Behaviors.same();
        })
        .onMessage(IdleTimeout.class, msg -> passivate())
        .onMessage(Stop.class, msg -> Behaviors.stopped())
        .onAnyMessage(msg -> Behaviors.same()) // input or chat for a room that no longer runs
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  @SuppressWarnings("unchecked")
  private Behavior<Command> onFirstJoin(Join join) {
    String name = join.game() != null ? join.game() : deps.games().defaultGame();
    Optional<Game<?>> g = deps.games().find(name);
    if (g.isEmpty()) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.BAD_REQUEST,
          "unknown game '" + name + "'; this server runs " + deps.games().names()));
      return Behaviors.same();
    }
    game = (Game<Object>) g.get();
    seed = ThreadLocalRandom.current().nextLong();
    try {
      state = game.create(new RoomSeed(roomId, seed, Map.of()));
    } catch (RuntimeException e) {
      return crashed("create", e);
    }
    tick = 0;
    log.info("room {} created with game {}", roomId, name);
    startTicking();
    Behavior<Command> next = onJoin(join);
    return Behavior.isAlive(next) ? running() : next;
  }

  private void startTicking() {
    ticking = true;
    deps.metrics().roomStarted();
    int hz = game.spec().tickHz();
    timers.startTimerAtFixedRate(Tick.INSTANCE, Duration.ofNanos(1_000_000_000L / hz));
    long intervalMs = deps.settings().snapshotInterval().toMillis();
    snapshotEvery = (int) Math.max(1, intervalMs * hz / 1000);
  }

  // ------------------------------------------------------------------ running

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Tick.class, msg -> onTick())
        .onMessage(Input.class, this::onInput)
        .onMessage(Join.class, this::onJoin)
        .onMessage(Leave.class, this::onLeave)
        .onMessage(Disconnect.class, msg -> onGone(msg.player(), msg.session()))
        .onMessage(MemberGone.class, msg -> onGone(msg.player(), msg.ref()))
        .onMessage(Chat.class, this::onChat)
        .onMessage(AttachLocal.class, this::onAttachLocal)
        .onMessage(GetInfo.class, msg -> {
          msg.replyTo().tell(new Info(roomId, game.spec().name(), tick, members.size()));
          return Behaviors.same();
        })
        .onMessage(IdleTimeout.class, msg -> members.isEmpty() ? passivate() : Behaviors.same())
        .onMessage(Stop.class, msg -> onStop())
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  private Behavior<Command> onJoin(Join join) {
    if (join.game() != null && !join.game().equals(game.spec().name())) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.BAD_REQUEST,
          "room '" + roomId + "' plays " + game.spec().name() + ", not " + join.game()));
      return Behaviors.same();
    }
    Member existing = members.get(join.player());
    if (existing != null) {
      // the same player again: a resumed session, or a session re-attaching after the room moved
      if (!existing.ref.equals(join.replyTo())) {
        ctx.unwatch(existing.ref);
        existing.ref.tell(new RoomEvent.Replaced(roomId));
        existing.ref = join.replyTo();
        existing.local = null;
        ctx.watchWith(existing.ref, new MemberGone(existing.id, existing.ref));
      }
      sendJoined(existing);
      return Behaviors.same();
    }
    if (members.size() >= game.spec().maxPlayers()) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.ROOM_FULL,
          "room '" + roomId + "' is full (" + game.spec().maxPlayers() + " players)"));
      return Behaviors.same();
    }
    PlayerId who = PlayerId.of(join.player());
    try {
      Identity identity = join.identity() != null ? join.identity() : Identity.anonymous();
      Admission admission = game.admit(state, who, identity);
      if (!admission.accepted()) {
        join.replyTo().tell(new RoomEvent.Rejected(roomId, admission.code(), admission.message()));
        return Behaviors.same();
      }
      Member member = new Member(join.player(), join.name(), join.replyTo());
      members.put(member.id, member);
      deps.metrics().playersChanged(1);
      ctx.watchWith(member.ref, new MemberGone(member.id, member.ref));
      timers.cancel(IdleTimeout.INSTANCE);
      apply(game.join(state, who, join.name(), identity));
      if (members.containsKey(member.id)) sendJoined(member);
    } catch (RuntimeException e) {
      return crashed("join", e);
    }
    return Behaviors.same();
  }

  private void sendJoined(Member member) {
    byte[] view = Codec.writeJson(game.view(state, PlayerId.of(member.id)));
    member.ref.tell(new RoomEvent.Joined(roomId, game.spec().name(), member.id, tick, view, ctx.getSelf()));
  }

  private Behavior<Command> onAttachLocal(AttachLocal attach) {
    Member member = members.get(attach.player());
    if (member != null && member.ref.equals(attach.session())) member.local = attach.line();
    return Behaviors.same();
  }

  private Behavior<Command> onInput(Input input) {
    Member member = members.get(input.player());
    if (member == null) return Behaviors.same(); // late input from a player who already left
    if (member.pending >= deps.settings().maxInputsPerTick()) {
      member.ref.tell(new RoomEvent.Error(roomId, ErrorCode.RATE_LIMITED,
          "more than " + deps.settings().maxInputsPerTick() + " inputs in one tick; input " + input.seq() + " dropped"));
      return Behaviors.same();
    }
    member.pending++;
    pending.add(new dev.tickroom.game.Input(PlayerId.of(input.player()), input.seq(), input.data()));
    return Behaviors.same();
  }

  private Behavior<Command> onTick() {
    long start = System.nanoTime();
    tick++;
    List<dev.tickroom.game.Input> batch = pending;
    pending = new ArrayList<>();
    try {
      apply(game.tick(state, tick, batch));
    } catch (RuntimeException e) {
      return crashed("tick", e);
    }
    for (dev.tickroom.game.Input in : batch) {
      Member m = members.get(in.player().value());
      if (m != null) {
        m.pending = 0;
        if (in.seq() > m.ack) m.ack = in.seq();
      }
    }
    try {
      broadcastState();
    } catch (RuntimeException e) {
      return crashed("view", e);
    }
    if (tick % snapshotEvery == 0 && !members.isEmpty()) saveSnapshot();
    deps.metrics().tick(System.nanoTime() - start);
    return Behaviors.same();
  }

  private void broadcastState() {
    if (members.isEmpty()) return;
    if (game.spec().sharedView()) {
      ViewDiff.Frame view = sharedViews.next(game.view(state, null));
      for (Member m : members.values()) sendState(m, view);
    } else {
      for (Member m : members.values()) sendState(m, m.views.next(game.view(state, PlayerId.of(m.id))));
    }
  }

  private void sendState(Member m, ViewDiff.Frame view) {
    if (m.local != null) m.local.offer(roomId, tick, m.ack, view.full(), view.delta());
    else m.ref.tell(new RoomEvent.State(roomId, tick, m.ack, view.full(), view.delta()));
  }

  private Behavior<Command> onLeave(Leave leave) {
    Member member = members.get(leave.player());
    if (member != null) {
      Behavior<Command> next = removeMember(member, LeaveReason.LEFT);
      if (next != null) return next;
    }
    leave.replyTo().tell(new RoomEvent.Left(roomId));
    return Behaviors.same();
  }

  private Behavior<Command> onGone(String player, ActorRef<RoomEvent> ref) {
    Member member = members.get(player);
    // a stale notice about a session this member has already replaced is ignored
    if (member == null || !member.ref.equals(ref)) return Behaviors.same();
    Behavior<Command> next = removeMember(member, LeaveReason.DISCONNECTED);
    return next != null ? next : Behaviors.same();
  }

  /** Removes a member and tells the game; returns a behaviour only when the room must stop. */
  private Behavior<Command> removeMember(Member member, LeaveReason why) {
    members.remove(member.id);
    deps.metrics().playersChanged(-1);
    ctx.unwatch(member.ref);
    pending.removeIf(in -> in.player().value().equals(member.id));
    if (members.isEmpty()) timers.startSingleTimer(IdleTimeout.INSTANCE, deps.settings().idleTimeout());
    try {
      apply(game.leave(state, PlayerId.of(member.id), why));
    } catch (RuntimeException e) {
      return crashed("leave", e);
    }
    return null;
  }

  private Behavior<Command> onChat(Chat chat) {
    if (!members.containsKey(chat.player())) return Behaviors.same();
    RoomEvent.Chat event = new RoomEvent.Chat(roomId, chat.player(), chat.text());
    for (Member m : members.values()) m.ref.tell(event);
    return Behaviors.same();
  }

  /** Applies a game step: new state, notices to single players, kicks. */
  private void apply(Step<Object> step) {
    state = step.state();
    for (Step.Notice n : step.notices()) {
      Member m = members.get(n.to().value());
      if (m != null) m.ref.tell(new RoomEvent.Error(roomId, n.code(), n.message()));
    }
    for (PlayerId kicked : step.kicks()) {
      Member m = members.remove(kicked.value());
      if (m != null) {
        deps.metrics().playersChanged(-1);
        ctx.unwatch(m.ref);
        m.ref.tell(new RoomEvent.Left(roomId));
        state = game.leave(state, kicked, LeaveReason.KICKED).state();
      }
    }
  }

  // ------------------------------------------------------------------ ending

  private Behavior<Command> passivate() {
    log.info("room {} empty for {}, stopping", roomId, deps.settings().idleTimeout());
    deps.store().remove(roomId);
    if (shard == null) return Behaviors.stopped();
    shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    return Behaviors.same();
  }

  private Behavior<Command> onPostStop() {
    if (ticking) deps.metrics().roomStopped();
    deps.metrics().playersChanged(-members.size());
    return Behaviors.same();
  }

  private Behavior<Command> onStop() {
    if (game != null && !members.isEmpty()) {
      saveSnapshot();
      log.info("room {} handing off at tick {} with {} members", roomId, tick, members.size());
    }
    return Behaviors.stopped();
  }

  private void saveSnapshot() {
    try {
      ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
      List<RoomSnapshot.Member> ms = new ArrayList<>(members.size());
      for (Member m : members.values()) {
        ms.add(new RoomSnapshot.Member(m.id, m.name, m.ack, resolver.toSerializationFormat(m.ref)));
      }
      deps.store().save(new RoomSnapshot(roomId, game.spec().name(), seed, tick, game.snapshot(state), ms));
    } catch (RuntimeException e) {
      log.error("room {}: snapshot at tick {} failed; the room goes on without it", roomId, tick, e);
    }
  }

  /** A bug in the game code ends this room, never the node. */
  private Behavior<Command> crashed(String during, RuntimeException e) {
    String game = this.game == null ? "?" : this.game.spec().name();
    log.error("room {} (game {}) failed in {} at tick {}; closing the room", roomId, game, during, tick, e);
    RoomEvent.Closed closed = new RoomEvent.Closed(roomId, "the room's game failed and the room was closed");
    for (Member m : members.values()) m.ref.tell(closed);
    deps.store().remove(roomId);
    return Behaviors.stopped();
  }
}
