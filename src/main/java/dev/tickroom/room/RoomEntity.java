package dev.tickroom.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.cluster.CborSerializable;
import dev.tickroom.config.Settings;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.metrics.TickMeter;
import dev.tickroom.game.Admission;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameJson;
import dev.tickroom.game.GameRegistry;
import dev.tickroom.game.Identity;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.metrics.Metrics;
import dev.tickroom.protocol.Delta;
import dev.tickroom.protocol.ViewDiff;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.room.GameCalls.GameFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;

/**
 * One game room: a Cluster Sharding entity whose id is the room name. It owns the game state, ticks it at
 * the game's fixed rate, applies the inputs queued since the last tick in arrival order and sends the
 * resulting state to every member, encoded once per tick.
 *
 * <p>Behaviours: {@code loading} (reads the snapshot from a majority, stashing messages; a read that times
 * out is retried, then joins get {@code room_unavailable}) -> {@code vacant} (no game yet: the first join
 * picks it) or {@code running} (restored) or {@code closed} (a tombstone: the room's game failed) ->
 * {@code finishing} (its last write, hand-off snapshot, removal or tombstone, waits for a majority, bounded
 * by {@code hand-off-timeout}) -> {@code passivating} (asked sharding to stop it) -> stopped.
 *
 * <p>Two rules keep it honest. Every call into the game goes through {@link GameCalls}, which turns any
 * non-fatal throwable into a checked {@link GameFailure}; {@link #contained} turns that into
 * {@link #crash}, the one way a failed game ends its room. And every change of membership goes through
 * {@link #addMember} and {@link #removeMember}, whether a join, a leave, a disconnect or a game's kick.
 *
 * <p>A crashed room cannot lose the race with its members' death watch: before it stops it writes a
 * tombstone to a majority, and a join to the room (a member's session re-attaching after it saw the room
 * actor stop, on any node) then gets {@code room_closed}, never a fresh game, until
 * {@code closed-room-ttl} has passed.
 */
public final class RoomEntity {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Room");

  /** The dispatcher rooms run on (application.conf), apart from sessions and cluster traffic. */
  public static final String DISPATCHER = "tickroom-room-dispatcher";

  /** Messages a room handles. */
  public interface Command extends CborSerializable {}

  /**
   * Enter the room (or re-attach a session of a player who is already a member). {@code patch}: the
   * session's connection negotiated {@code sync: "patch"}, so the member can use the merge patches of its
   * view line; a re-attach sets it anew (a resume may come on a connection with another sync).
   */
  public record Join(String player, String name, String game, ActorRef<RoomEvent> replyTo, Identity identity,
      JsonNode options, Map<String, Object> label, boolean patch) implements Command {
    /** v1.1: {@code options} for the game (null if none); {@code label}: the room's first label if this join creates it. */
    public Join(String player, String name, String game, ActorRef<RoomEvent> replyTo, Identity identity,
        JsonNode options, Map<String, Object> label) {
      this(player, name, game, replyTo, identity, options, label, false);
    }

    public Join(String player, String name, String game, ActorRef<RoomEvent> replyTo, Identity identity) {
      this(player, name, game, replyTo, identity, null, null, false);
    }

    public Join(String player, String name, String game, ActorRef<RoomEvent> replyTo) {
      this(player, name, game, replyTo, null, null, null, false);
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
  public record Info(String roomId, String game, long tick, int players, double tickWorkMs, double tickLatenessMs,
      long overruns) implements CborSerializable {
    public Info(String roomId, String game, long tick, int players) {
      this(roomId, game, tick, players, 0, 0, 0);
    }
  }

  /** Sent by sharding at handoff and passivation: write the last snapshot to a majority, then stop. */
  public enum Stop implements Command { INSTANCE }

  enum Tick implements Command { INSTANCE }

  enum IdleTimeout implements Command { INSTANCE }

  private enum FinishTimeout implements Command { INSTANCE }

  record MemberGone(String player, ActorRef<RoomEvent> ref) implements Command {}

  private record Loaded(RoomSnapshot snapshot, Throwable failure, int attempt)
      implements Command, NoSerializationVerificationNeeded {}

  /** A periodic snapshot write ended. */
  private record Written(long tick, Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** The last write before stopping ended. */
  private record Finished(Throwable failure) implements Command, NoSerializationVerificationNeeded {}

  /** What a room needs from its node. */
  public record Deps(Settings.Rooms settings, GameRegistry games, SnapshotStore store, Metrics metrics,
      RoomListings listings, LongSupplier millis, LongSupplier nanos) {
    public Deps(Settings.Rooms settings, GameRegistry games, SnapshotStore store, Metrics metrics, RoomListings listings) {
      this(settings, games, store, metrics, listings, System::currentTimeMillis, System::nanoTime);
    }

    public Deps(Settings.Rooms settings, GameRegistry games, SnapshotStore store, Metrics metrics) {
      this(settings, games, store, metrics, RoomListings.NONE);
    }
  }

  /** The sharded entity: rooms on their own dispatcher, stopped through {@link Stop}. */
  public static Entity<Command, ShardingEnvelope<Command>> entity(Deps deps) {
    return Entity.of(TYPE_KEY, ec -> {
          // the moment sharding (re)starts a room here: FailoverIT tells shard restart from snapshot load by it
          org.slf4j.LoggerFactory.getLogger(RoomEntity.class).info("room {} starting on this node", ec.getEntityId());
          return create(ec.getEntityId(), deps, ec.getShard());
        })
        .withStopMessage(Stop.INSTANCE)
        .withEntityProps(DispatcherSelector.fromConfig(DISPATCHER));
  }

  /** {@code shard} null: not sharded (tests); the room then stops itself where it would ask sharding to. */
  public static Behavior<Command> create(String roomId, Deps deps, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.withMdc(Command.class, Map.of("room", roomId), RoomEntity::playerMdc,
        Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash -> Behaviors.withTimers(timers ->
            new RoomEntity(roomId, deps, shard, ctx, stash, timers).load(1)))));
  }

  /** The player a message is about, for the logs (MDC {@code player}). */
  private static Map<String, String> playerMdc(Command msg) {
    String player = null;
    if (msg instanceof Join j) player = j.player();
    else if (msg instanceof Input i) player = i.player();
    else if (msg instanceof Leave l) player = l.player();
    else if (msg instanceof Disconnect d) player = d.player();
    else if (msg instanceof Chat c) player = c.player();
    else if (msg instanceof MemberGone g) player = g.player();
    return player == null ? Map.of() : Map.of("player", player);
  }

  private static final class Member {
    final String id;
    final String name;
    ActorRef<RoomEvent> ref;
    /** Set while the member's session is on this node and attached; else states go to {@code ref}. */
    LocalStates local;
    /**
     * False for a member restored from a snapshot until its session re-attaches with a join: it gets no
     * state before the {@code joined} that tells it the room moved (the v1.1 re-sync rule).
     */
    boolean attached = true;
    long ack = -1;
    int pending;
    /** The member's connection takes merge patches ({@link Join#patch}), as of its last join or re-attach. */
    boolean patch;
    /** This member's own view line, for a game that renders per member. */
    final ViewDiff views = new ViewDiff();
    /** {@code ref} as text for snapshots, and the ref it was made from: made again only when the ref changes. */
    private String refText;
    private ActorRef<RoomEvent> refTextOf;

    Member(String id, String name, ActorRef<RoomEvent> ref) {
      this.id = id;
      this.name = name;
      this.ref = ref;
    }

    String refText(ActorRefResolver resolver) {
      if (refTextOf != ref) {
        refText = resolver.toSerializationFormat(ref);
        refTextOf = ref;
      }
      return refText;
    }
  }

  /** A handler that may call the game. */
  private interface GameHandler<T> {
    Behavior<Command> apply(T msg) throws GameFailure;
  }

  private final String roomId;
  private final Deps deps;
  private final Settings.Rooms settings;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorContext<Command> ctx;
  private final StashBuffer<Command> stash;
  private final TimerScheduler<Command> timers;
  private final Logger log;
  private final Map<String, Member> members = new LinkedHashMap<>();

  private GameCalls game;
  private String gameName;
  private long seed;
  private long tick;
  private long incarnation;
  private long periodNanos;
  /** The tick at which a member was last removed because its connection ended; -1: never. */
  private long lastDisconnectTick = -1;
  private int snapshotEvery;
  private boolean ticking;
  private boolean snapshotInFlight;
  /** Sharding asked the room to stop while its last write was under way. */
  private boolean stopAfterWrite;
  private long overrunsUnlogged;
  private long lastOverrunLog = Long.MIN_VALUE;
  /** Set when the room is closed (its game failed): the players who were members then. */
  private Set<String> closedMembers;
  private List<dev.tickroom.game.Input> pending = new ArrayList<>();
  /** v1.1: the label (the creating filter, then what the game sets), tick timing, a finish to carry out. */
  private Map<String, Object> label = Map.of();
  /** The quick-join filter that opened this room (its matchmaker's key), or null. */
  private Map<String, Object> openedBy;
  private TickMeter meter;
  private Step<Object> finishing;
  /** The shared view line: each tick's view rendered once, with its merge patch from the tick before. */
  private final ViewDiff sharedViews = new ViewDiff();

  private RoomEntity(String roomId, Deps deps, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorContext<Command> ctx, StashBuffer<Command> stash, TimerScheduler<Command> timers) {
    this.roomId = roomId;
    this.deps = deps;
    this.settings = deps.settings();
    this.shard = shard;
    this.ctx = ctx;
    this.stash = stash;
    this.timers = timers;
    this.log = ctx.getLog();
  }

  // ------------------------------------------------------------------ loading

  private Behavior<Command> load(int attempt) {
    ctx.pipeToSelf(deps.store().load(roomId),
        (snap, err) -> new Loaded(snap == null ? null : snap.orElse(null), err, attempt));
    return loading();
  }

  private Behavior<Command> loading() {
    return Behaviors.receive(Command.class)
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(Stop.class, msg -> Behaviors.stopped())
        .onAnyMessage(msg -> {
          if (!stash.isFull()) stash.stash(msg);
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onLoaded(Loaded loaded) {
    if (loaded.failure() != null) {
      if (loaded.attempt() < settings.snapshotReadAttempts()) {
        log.warn("room {}: snapshot read {} of {} failed, reading again: {}", roomId, loaded.attempt(),
            settings.snapshotReadAttempts(), loaded.failure().toString());
        return load(loaded.attempt() + 1);
      }
      log.error("room {}: snapshot not readable after {} reads; answering joins room_unavailable: {}", roomId,
          loaded.attempt(), loaded.failure().toString());
      return unavailable("its snapshot could not be read");
    }
    RoomSnapshot snap = loaded.snapshot();
    if (snap != null && snap.expired(deps.millis().getAsLong(), settings.snapshotTtl(), settings.closedRoomTtl())) {
      log.info("room {}: ignoring and removing its snapshot of incarnation {} tick {}, saved {} ms ago", roomId,
          snap.incarnation(), snap.tick(), deps.millis().getAsLong() - snap.savedAtMillis());
      deps.store().remove(roomId);
      snap = null;
    }
    if (snap == null) {
      startIdleTimer();
      return stash.unstashAll(vacant());
    }
    if (snap.closed()) {
      closedMembers = new HashSet<>();
      for (RoomSnapshot.Member m : snap.members()) closedMembers.add(m.player());
      gameName = snap.game();
      tick = snap.tick();
      startIdleTimer();
      return stash.unstashAll(closed());
    }
    Optional<Game<?>> g = deps.games().find(snap.game());
    if (g.isEmpty()) {
      log.error("room {}: its snapshot names game {}, which this node does not run", roomId, snap.game());
      return unavailable("this node does not run its game " + snap.game());
    }
    try {
      restore(snap, g.get());
    } catch (GameFailure f) {
      return stash.unstashAll(crash(f));
    }
    return stash.unstashAll(running());
  }

  private void restore(RoomSnapshot snap, Game<?> g) throws GameFailure {
    seed = snap.seed();
    tick = snap.tick();
    incarnation = snap.incarnation() + 1;
    gameName = snap.game();
    label = snap.label() == null ? Map.of() : Map.copyOf(snap.label());
    openedBy = snap.openedBy() == null ? null : Map.copyOf(snap.openedBy());
    // the room's members are known before the game's code runs, so that a failing restore tells them
    ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
    for (RoomSnapshot.Member m : snap.members()) {
      Member member = new Member(m.player(), m.name(), resolver.resolveActorRef(m.session()));
      member.ack = m.ack();
      member.attached = false;
      addMember(member);
    }
    JsonNode state = snap.gameState() == null ? null : snap.gameState().tree();
    game = GameCalls.restore(g, new RoomSeed(roomId, seed, Map.of()), state, snap.gameVersion());
    startTicking();
    publishListing();
    log.info("room {} restored as incarnation {} at tick {} with {} members", roomId, incarnation, tick, members.size());
    if (members.isEmpty()) startIdleTimer();
    else writeSnapshot(); // claims the new incarnation at once: a zombie of the old one can no longer win
  }

  /** The store could not tell whether this room has a snapshot: refuse joins, then stop to read again later. */
  private Behavior<Command> unavailable(String why) {
    Behavior<Command> refusing = Behaviors.receive(Command.class)
        .onMessage(Join.class, join -> {
          join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.ROOM_UNAVAILABLE,
              "room '" + roomId + "' is not available (" + why + "); try again"));
          return Behaviors.same();
        })
        .onMessage(Leave.class, this::answerLeft)
        .onMessage(GetInfo.class, this::answerInfo)
        .onMessage(Stop.class, msg -> Behaviors.stopped())
        .onAnyMessage(msg -> Behaviors.same())
        .build();
    Behavior<Command> next = stash.unstashAll(refusing);
    requestStop();
    return next;
  }

  // ------------------------------------------------------------------ vacant: no game chosen yet

  private Behavior<Command> vacant() {
    return Behaviors.receive(Command.class)
        .onMessage(Join.class, this::onFirstJoin)
        .onMessage(Leave.class, this::answerLeft)
        .onMessage(GetInfo.class, this::answerInfo)
        .onMessage(IdleTimeout.class, msg -> passivating())
        .onMessage(Stop.class, msg -> Behaviors.stopped())
        .onAnyMessage(msg -> Behaviors.same()) // input or chat for a room that no longer runs
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  private Behavior<Command> onFirstJoin(Join join) {
    String name = join.game() != null ? join.game() : deps.games().defaultGame();
    Optional<Game<?>> g = deps.games().find(name);
    if (g.isEmpty()) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.BAD_REQUEST,
          "unknown game '" + name + "'; this server runs " + deps.games().names()));
      return Behaviors.same();
    }
    seed = ThreadLocalRandom.current().nextLong();
    tick = 0;
    incarnation = 1;
    gameName = name;
    try {
      if (join.label() != null) label = openedBy = Step.checkLabel(join.label());
      game = GameCalls.create(g.get(), new RoomSeed(roomId, seed, Map.of(), join.options()));
    } catch (GameFailure f) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.ROOM_CLOSED,
          "the game of room '" + roomId + "' failed to start"));
      return crash(f);
    }
    log.info("room {} created with game {}", roomId, name);
    startTicking();
    Behavior<Command> next;
    try {
      next = onJoin(join);
    } catch (GameFailure f) {
      return crash(f);
    }
    // same: the room now runs; otherwise its game already finished
    return next == Behaviors.<Command>same() ? running() : next;
  }

  private void startTicking() {
    ticking = true;
    deps.metrics().roomStarted();
    int hz = game.spec().tickHz();
    periodNanos = 1_000_000_000L / hz;
    timers.startTimerAtFixedRate(Tick.INSTANCE, Duration.ofNanos(periodNanos));
    meter = new TickMeter(periodNanos);
    meter.scheduleFrom(System.nanoTime());
    long intervalMs = settings.snapshotInterval().toMillis();
    snapshotEvery = (int) Math.max(1, intervalMs * hz / 1000);
  }

  // ------------------------------------------------------------------ running

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Tick.class, contained(msg -> onTick()))
        .onMessage(Input.class, contained(this::onInput))
        .onMessage(Join.class, contained(this::onJoin))
        .onMessage(Leave.class, contained(this::onLeave))
        .onMessage(Disconnect.class, contained(msg -> onGone(msg.player(), msg.session())))
        .onMessage(MemberGone.class, contained(msg -> onGone(msg.player(), msg.ref())))
        .onMessage(Chat.class, this::onChat)
        .onMessage(AttachLocal.class, this::onAttachLocal)
        .onMessage(GetInfo.class, this::answerInfo)
        .onMessage(Written.class, this::onWritten)
        .onMessage(IdleTimeout.class, msg -> members.isEmpty() ? endForGood("removal") : Behaviors.same())
        .onMessage(Stop.class, contained(msg -> {
          stopAfterWrite = true; // sharding asked: whatever the last write is (a tombstone too), stop after it
          return onHandOff();
        }))
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  /** The one place where a failure of the game's code turns into the end of the room. */
  private <T> org.apache.pekko.japi.function.Function<T, Behavior<Command>> contained(GameHandler<T> handler) {
    return msg -> {
      try {
        return handler.apply(msg);
      } catch (GameFailure f) {
        return crash(f);
      }
    };
  }

  private Behavior<Command> onJoin(Join join) throws GameFailure {
    if (join.game() != null && !join.game().equals(gameName)) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.BAD_REQUEST,
          "room '" + roomId + "' plays " + gameName + ", not " + join.game()));
      return Behaviors.same();
    }
    Member existing = members.get(join.player());
    if (existing != null) {
      // the same player again: a resumed session, or a session re-attaching after the room moved
      if (!existing.ref.equals(join.replyTo())) {
        ctx.unwatch(existing.ref);
        existing.ref.tell(new RoomEvent.Replaced(roomId));
        existing.ref = join.replyTo();
        ctx.watchWith(existing.ref, new MemberGone(existing.id, existing.ref));
      }
      existing.local = null;
      existing.attached = true;
      existing.patch = join.patch(); // the re-attaching connection's sync, which may differ from the last one
      sendJoined(existing);
      return Behaviors.same();
    }
    if (members.size() >= game.spec().maxPlayers()) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.ROOM_FULL,
          "room '" + roomId + "' is full (" + game.spec().maxPlayers() + " players)"));
      return Behaviors.same();
    }
    PlayerId who = PlayerId.of(join.player());
    Identity identity = join.identity() != null ? join.identity() : Identity.anonymous();
    Admission admission = game.admit(who, identity, join.options());
    if (!admission.accepted()) {
      join.replyTo().tell(new RoomEvent.Rejected(roomId, admission.code(), admission.message()));
      return Behaviors.same();
    }
    Member member = new Member(join.player(), join.name(), join.replyTo());
    member.patch = join.patch();
    addMember(member);
    // joined first (with the state after the join), then the step's effects: an event to the new member
    // must reach a session that already knows it is in this room
    Step<Object> step = game.join(who, join.name(), identity, join.options());
    if (!step.kicks().contains(who)) sendJoined(member);
    apply(step);
    publishListing();
    if (finishing != null) return finishNow(false);
    return Behaviors.same();
  }

  private void sendJoined(Member member) throws GameFailure {
    byte[] view = game.view(PlayerId.of(member.id));
    member.ref.tell(new RoomEvent.Joined(roomId, gameName, member.id, tick, view, ctx.getSelf()));
  }

  private Behavior<Command> onAttachLocal(AttachLocal attach) {
    Member member = members.get(attach.player());
    if (member != null && member.ref.equals(attach.session())) member.local = attach.line();
    return Behaviors.same();
  }

  private Behavior<Command> onInput(Input input) throws GameFailure {
    Member member = members.get(input.player());
    if (member == null) return Behaviors.same(); // late input from a player who already left
    // sent before the member's session noticed that the room moved (sharding buffered them meanwhile, maybe
    // many): not applied, so never acknowledged (v1.1 re-sync), and never answered rate_limited
    if (!member.attached) return Behaviors.same();
    if (member.pending >= settings.maxInputsPerTick()) {
      member.ref.tell(new RoomEvent.Error(roomId, ErrorCode.RATE_LIMITED,
          "more than " + settings.maxInputsPerTick() + " inputs in one tick; input " + input.seq() + " dropped"));
      return Behaviors.same();
    }
    Object value = null;
    Class<?> type = game.inputType();
    if (type != null) {
      try {
        value = GameJson.decode(input.data(), type);
      } catch (GameJson.BadInput e) {
        member.ref.tell(new RoomEvent.Error(roomId, ErrorCode.BAD_INPUT, "input " + input.seq() + ": " + e.getMessage()));
        return Behaviors.same();
      }
    }
    member.pending++;
    pending.add(new dev.tickroom.game.Input(PlayerId.of(input.player()), input.seq(), input.data(), value));
    return Behaviors.same();
  }

  private Behavior<Command> onTick() throws GameFailure {
    long start = deps.nanos().getAsLong();
    meter.begin(System.nanoTime());
    tick++;
    List<dev.tickroom.game.Input> batch = pending;
    pending = new ArrayList<>();
    for (Member m : members.values()) m.pending = 0;
    apply(game.tick(tick, batch));
    for (dev.tickroom.game.Input in : batch) {
      Member m = members.get(in.player().value());
      if (m != null && in.seq() > m.ack) m.ack = in.seq();
    }
    long bytes = broadcastState();
    if (finishing != null) return finishNow(true);
    if (tick % snapshotEvery == 0 && !members.isEmpty()) writeSnapshot();
    long took = deps.nanos().getAsLong() - start;
    deps.metrics().tick(took);
    deps.metrics().roomTick(gameName, meter.end(System.nanoTime()), bytes);
    if (took > periodNanos) onOverrun(took);
    return Behaviors.same();
  }

  /** Counted every time; logged at most once per {@code overrun-log-interval}, with the count since. */
  private void onOverrun(long tookNanos) {
    deps.metrics().tickOverrun(gameName);
    overrunsUnlogged++;
    long now = deps.nanos().getAsLong();
    if (lastOverrunLog == Long.MIN_VALUE || now - lastOverrunLog >= settings.overrunLogInterval().toNanos()) {
      log.warn("room {} (game {}): tick {} took {} ms, over its period of {} ms ({} overruns since the last notice)",
          roomId, gameName, tick, tookNanos / 1_000_000, periodNanos / 1_000_000, overrunsUnlogged);
      lastOverrunLog = now;
      overrunsUnlogged = 0;
    }
  }

  /**
   * Sends this tick's state to every attached member; returns the bytes of state sent. A view line's merge
   * patch is computed only when a member who sees the line takes patches: for the shared view any attached
   * member, for a member's own view that member.
   */
  private long broadcastState() throws GameFailure {
    if (members.isEmpty()) return 0;
    long bytes = 0;
    if (game.spec().sharedView()) {
      ViewDiff.Frame view = game.view(sharedViews, null, anyAttachedPatchMember());
      for (Member m : members.values()) sendState(m, view);
      bytes = (long) view.full().length * members.size();
    } else {
      for (Member m : members.values()) {
        if (!m.attached) continue;
        ViewDiff.Frame view = game.view(m.views, PlayerId.of(m.id), m.patch);
        sendState(m, view);
        bytes += view.full().length;
      }
    }
    return bytes;
  }

  private boolean anyAttachedPatchMember() {
    for (Member m : members.values()) if (m.attached && m.patch) return true;
    return false;
  }

  /**
   * A local member is offered the line's delta as it is, shared with every other member (its connection
   * ignores it unless it is a patch connection). A member on another node gets the delta only if it takes
   * patches: a full member is sent the full state alone, so the patch does not cross the network for nothing.
   */
  private void sendState(Member m, ViewDiff.Frame view) {
    if (!m.attached) return;
    if (m.local != null) m.local.offer(roomId, tick, m.ack, view.full(), view.delta());
    else m.ref.tell(new RoomEvent.State(roomId, tick, m.ack, view.full(), m.patch ? view.delta() : null));
  }

  private Behavior<Command> onLeave(Leave leave) throws GameFailure {
    Member member = members.get(leave.player());
    if (member != null) removeMember(member, LeaveReason.LEFT);
    if (member == null || !member.ref.equals(leave.replyTo())) leave.replyTo().tell(new RoomEvent.Left(roomId));
    return finishing != null ? finishNow(false) : Behaviors.same();
  }

  private Behavior<Command> onGone(String player, ActorRef<RoomEvent> ref) throws GameFailure {
    Member member = members.get(player);
    // a stale notice about a session this member has already replaced is ignored
    if (member != null && member.ref.equals(ref)) removeMember(member, LeaveReason.DISCONNECTED);
    return finishing != null ? finishNow(false) : Behaviors.same();
  }

  private Behavior<Command> onChat(Chat chat) {
    if (!members.containsKey(chat.player())) return Behaviors.same();
    RoomEvent.Chat event = new RoomEvent.Chat(roomId, chat.player(), chat.text());
    for (Member m : members.values()) m.ref.tell(event);
    return Behaviors.same();
  }

  /** Applies a game step: notices to single players, kicks (through {@link #removeMember}). */
  private void apply(Step<Object> step) throws GameFailure {
    for (Step.Notice n : step.notices()) {
      Member m = members.get(n.to().value());
      if (m != null) m.ref.tell(new RoomEvent.Error(roomId, n.code(), n.message()));
    }
    for (Step.Event e : step.events()) {
      RoomEvent.GameEvent event = new RoomEvent.GameEvent(roomId, e.name(), GameCalls.encode("event", e.data()));
      if (e.to() == null) members.values().forEach(m -> m.ref.tell(event));
      else if (members.containsKey(e.to().value())) members.get(e.to().value()).ref.tell(event);
    }
    if (step.label() != null) {
      Map<String, Object> merged = new LinkedHashMap<>(label);
      merged.putAll(step.label());
      if (!merged.equals(label)) {
        label = Map.copyOf(merged);
        publishListing();
      }
    }
    if (step.finished() && finishing == null) finishing = step;
    for (PlayerId kicked : step.kicks()) {
      Member m = members.get(kicked.value());
      if (m != null) removeMember(m, LeaveReason.KICKED);
    }
  }

  // ------------------------------------------------------------------ membership: the one place

  private void addMember(Member member) {
    members.put(member.id, member);
    deps.metrics().playersChanged(1);
    ctx.watchWith(member.ref, new MemberGone(member.id, member.ref));
    timers.cancel(IdleTimeout.INSTANCE);
  }

  /**
   * Every way out of the room: leave, disconnect (connection ended or session stopped), kick by the game.
   * A member who left or was kicked is told {@code left}; the game is told; the last one out starts the
   * idle timer.
   */
  /**
   * A member's connection ended no longer than the resume grace ago (counted in ticks, so manual time in
   * tests moves it too): that player may still resume and re-join.
   */
  private boolean disconnectedWithinResumeGrace() {
    return lastDisconnectTick >= 0 && (tick - lastDisconnectTick) * periodNanos <= settings.resumeGrace().toNanos();
  }

  private void removeMember(Member member, LeaveReason why) throws GameFailure {
    if (why == LeaveReason.DISCONNECTED) lastDisconnectTick = tick;
    members.remove(member.id);
    deps.metrics().playersChanged(-1);
    ctx.unwatch(member.ref);
    pending.removeIf(in -> in.player().value().equals(member.id));
    if (why != LeaveReason.DISCONNECTED) member.ref.tell(new RoomEvent.Left(roomId));
    if (members.isEmpty()) startIdleTimer();
    apply(game.leave(PlayerId.of(member.id), why));
    publishListing();
  }

  private void startIdleTimer() {
    timers.startSingleTimer(IdleTimeout.INSTANCE, settings.idleTimeout());
  }

  /** Tells the lobby and the matchmakers who is in this room and its label. */
  private void publishListing() {
    deps.listings().publish(listing());
  }

  private RoomListing listing() {
    return new RoomListing(roomId, gameName, List.copyOf(members.keySet()), game.spec().maxPlayers(), label,
        deps.listings().node(), openedBy);
  }

  /**
   * The game finished: every member already has the final state; now each gets {@code left} with the
   * result, and the room ends for good (its snapshot and listing go, the game disposes of the state).
   */
  private Behavior<Command> finishNow(boolean stateSent) throws GameFailure {
    byte[] result = GameCalls.result(finishing);
    if (!stateSent) broadcastState(); // finished on a join or leave: the final state first
    RoomEvent.Finished finished = new RoomEvent.Finished(roomId, result);
    for (Member m : members.values()) {
      ctx.unwatch(m.ref);
      m.ref.tell(finished);
    }
    deps.metrics().playersChanged(-members.size());
    members.clear();
    log.info("room {} (game {}) finished at tick {}", roomId, gameName, tick);
    return endForGood("removal after the game finished");
  }

  /** The room is over for good: dispose of the game state, forget the listing, remove the snapshot, stop. */
  private Behavior<Command> endForGood(String what) {
    dispose();
    if (game != null) deps.listings().remove(listing(), true);
    return finish(deps.store().remove(roomId), what, false);
  }

  private void dispose() {
    if (game == null) return;
    try {
      game.dispose();
    } catch (GameFailure f) {
      log.error("room {}: game {} failed in dispose", roomId, gameName, f.getCause());
    }
  }

  // ------------------------------------------------------------------ snapshots

  private RoomSnapshot snapshot() throws GameFailure {
    ActorRefResolver resolver = ActorRefResolver.get(ctx.getSystem());
    List<RoomSnapshot.Member> ms = new ArrayList<>(members.size());
    for (Member m : members.values()) {
      ms.add(new RoomSnapshot.Member(m.id, m.name, m.ack, m.refText(resolver)));
    }
    return new RoomSnapshot(roomId, gameName, seed, tick, PackedTree.of(game.snapshot()), ms, incarnation, game.snapshotVersion(),
        deps.millis().getAsLong(), false, label, openedBy);
  }

  /** A periodic write: one at a time; a failed one is counted and logged, and the room goes on. */
  private void writeSnapshot() throws GameFailure {
    if (snapshotInFlight) return;
    snapshotInFlight = true;
    long at = tick;
    ctx.pipeToSelf(deps.store().save(snapshot()), (done, err) -> new Written(at, err));
  }

  private Behavior<Command> onWritten(Written written) {
    snapshotInFlight = false;
    if (written.failure() != null) {
      deps.metrics().snapshotWriteFailed();
      log.warn("room {}: snapshot at tick {} not confirmed by a majority: {}", roomId, written.tick(), written.failure().toString());
    }
    return Behaviors.same();
  }

  // ------------------------------------------------------------------ ending

  /** Sharding moves the room (SIGTERM, rebalance): its last snapshot reaches a majority before it stops. */
  private Behavior<Command> onHandOff() throws GameFailure {
    deps.listings().remove(listing(), false);
    if (members.isEmpty() && !disconnectedWithinResumeGrace()) {
      return finish(deps.store().remove(roomId), "removal at hand-off", true);
    }
    // an empty room whose players only lost their connections (their node is leaving: they were told to
    // reconnect) is saved like any other: they resume within the grace and re-join it where it moves to
    log.info("room {} handing off at tick {} with {} members", roomId, tick, members.size());
    CompletionStage<Done> saved = deps.store().save(snapshot());
    // told now, not by death watch: a room on a leaving node is reported stopped only once the node is gone
    for (Member m : members.values()) m.ref.tell(new RoomEvent.Moving(roomId));
    return finish(saved, "hand-off snapshot", true);
  }

  /**
   * Stops ticking and waits, at most {@code hand-off-timeout}, for the room's last write to reach a
   * majority; then stops ({@code stopNow}: sharding already asked) or asks sharding to stop it.
   */
  private Behavior<Command> finish(CompletionStage<Done> write, String what, boolean stopNow) {
    timers.cancelAll();
    ctx.pipeToSelf(write, (done, err) -> new Finished(err));
    timers.startSingleTimer(FinishTimeout.INSTANCE, settings.handOffTimeout());
    return Behaviors.receive(Command.class)
        .onMessage(Finished.class, msg -> {
          if (msg.failure() != null) {
            deps.metrics().snapshotWriteFailed();
            log.warn("room {}: {} at tick {} not confirmed by a majority: {}", roomId, what, tick, msg.failure().toString());
          }
          timers.cancel(FinishTimeout.INSTANCE);
          return stopNow ? Behaviors.stopped() : passivating();
        })
        .onMessage(FinishTimeout.class, msg -> {
          deps.metrics().snapshotWriteFailed();
          log.warn("room {}: {} at tick {} not confirmed within {}; stopping anyway", roomId, what, tick, settings.handOffTimeout());
          return stopNow ? Behaviors.stopped() : passivating();
        })
        .onMessage(Join.class, this::answerJoinWhileStopping)
        .onMessage(GetInfo.class, this::answerInfo)
        .onMessage(Leave.class, this::answerLeft)
        .onMessage(Stop.class, msg -> {
          stopAfterWrite = true; // sharding asks too: stop when the write ends
          return Behaviors.same();
        })
        .onAnyMessage(msg -> Behaviors.same())
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  /** Asked sharding to stop the room; waits for its stop message. */
  private Behavior<Command> passivating() {
    if (stopAfterWrite) return Behaviors.stopped();
    requestStop();
    return Behaviors.receive(Command.class)
        .onMessage(Stop.class, msg -> Behaviors.stopped())
        .onMessage(Join.class, this::answerJoinWhileStopping)
        .onMessage(GetInfo.class, this::answerInfo)
        .onMessage(Leave.class, this::answerLeft)
        .onAnyMessage(msg -> Behaviors.same())
        .onSignal(PostStop.class, sig -> onPostStop())
        .build();
  }

  private void requestStop() {
    if (shard != null) shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    else ctx.getSelf().tell(Stop.INSTANCE);
  }

  /** A join that reaches a stopping room: a closed room says so; else the session's retry reaches the next incarnation. */
  private Behavior<Command> answerJoinWhileStopping(Join join) {
    if (closedMembers != null) answerClosed(join);
    return Behaviors.same();
  }

  /** A tombstone: the room's game failed. Joins get {@code room_closed} until the tombstone expires. */
  private Behavior<Command> closed() {
    return Behaviors.receive(Command.class)
        .onMessage(Join.class, join -> {
          answerClosed(join);
          return Behaviors.same();
        })
        .onMessage(Leave.class, this::answerLeft)
        .onMessage(GetInfo.class, this::answerInfo)
        .onMessage(IdleTimeout.class, msg -> passivating())
        .onMessage(Stop.class, msg -> Behaviors.stopped())
        .onAnyMessage(msg -> Behaviors.same())
        .build();
  }

  /** A former member (a session re-attaching) is told the room closed, then left; anyone else is refused. */
  private void answerClosed(Join join) {
    String reason = "the game of room '" + roomId + "' failed and the room was closed";
    if (closedMembers.contains(join.player())) join.replyTo().tell(new RoomEvent.Closed(roomId, reason));
    else join.replyTo().tell(new RoomEvent.Rejected(roomId, ErrorCode.ROOM_CLOSED, reason));
  }

  private Behavior<Command> answerLeft(Leave leave) {
    leave.replyTo().tell(new RoomEvent.Left(roomId));
    return Behaviors.same();
  }

  private Behavior<Command> answerInfo(GetInfo msg) {
    if (meter == null) msg.replyTo().tell(new Info(roomId, gameName, tick, members.size()));
    else msg.replyTo().tell(new Info(roomId, gameName, tick, members.size(), meter.workMillis(), meter.latenessMillis(),
        meter.overruns()));
    return Behaviors.same();
  }

  private Behavior<Command> onPostStop() {
    if (ticking) deps.metrics().roomStopped();
    ticking = false;
    deps.metrics().playersChanged(-members.size());
    members.clear();
    return Behaviors.same();
  }

  /**
   * The game failed: this room ends, and only this room. Logged with room id and tick; every member is
   * told ({@code room_closed}, then {@code left} at the client); a tombstone reaches a majority before the
   * room stops, so no re-join brings it back as a fresh game.
   */
  private Behavior<Command> crash(GameFailure f) {
    log.error("room {} (game {}) failed in {} at tick {}; closing the room", roomId, gameName, f.during, tick, f.getCause());
    closedMembers = new HashSet<>(members.keySet());
    List<RoomSnapshot.Member> former = new ArrayList<>(members.size());
    RoomEvent.Closed closed = new RoomEvent.Closed(roomId, "the room's game failed and the room was closed");
    for (Member m : members.values()) {
      ctx.unwatch(m.ref);
      m.ref.tell(closed);
      former.add(new RoomSnapshot.Member(m.id, m.name, m.ack, ""));
    }
    deps.metrics().playersChanged(-members.size());
    members.clear();
    pending.clear();
    if (game != null) {
      deps.listings().remove(listing(), true);
      dispose();
    }
    if (ticking) deps.metrics().roomStopped();
    ticking = false;
    return finish(deps.store().save(RoomSnapshot.tombstone(roomId, gameName, incarnation, tick, former,
        deps.millis().getAsLong())), "tombstone", false);
  }
}
