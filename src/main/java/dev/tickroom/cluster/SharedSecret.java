package dev.tickroom.cluster;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.ORSet;
import org.apache.pekko.cluster.ddata.ORSetKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A random secret that a cluster makes for itself when it was given none: the oldest member draws 32 bytes
 * from {@link SecureRandom} once, adds them to a replicated set in Distributed Data, and every member reads
 * them from there. The set only grows (if two members ever drew one, e.g. in a split during formation, both
 * stay valid), and it dies with the cluster: a restart of every node makes a new one.
 *
 * <p>{@link #keys()} completes once this node knows a secret; until then a node issues and accepts nothing
 * signed with it.
 */
public final class SharedSecret {
  /** One generated secret and its id. */
  public record Key(String id, byte[] secret) {}

  private static final org.apache.pekko.cluster.ddata.Key<ORSet<String>> DATA_KEY = ORSetKey.create("tickroom-generated-secrets");
  private static final Duration CHECK = Duration.ofMillis(500);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SharedSecret.class);

  private final CompletableFuture<List<Key>> first = new CompletableFuture<>();
  private volatile List<Key> keys = List.of();

  private SharedSecret() {}

  /** The secrets known so far, signing one first; completes when the first one is known. */
  public CompletionStage<List<Key>> keys() {
    List<Key> k = keys;
    return k.isEmpty() ? first : CompletableFuture.completedFuture(k);
  }

  /** Spawns the actor that finds (or, on the oldest member, makes) the secret. */
  public static SharedSecret start(ActorContext<?> parent, Duration timeout) {
    SharedSecret secret = new SharedSecret();
    parent.spawn(secret.behavior(timeout), "shared-secret");
    return secret;
  }

  private interface Command extends NoSerializationVerificationNeeded {}

  private enum Check implements Command { INSTANCE }

  private record Changed(Replicator.SubscribeResponse<ORSet<String>> response) implements Command {}

  private record Read(Replicator.GetResponse<ORSet<String>> response) implements Command {}

  private record Written(Replicator.UpdateResponse<ORSet<String>> response) implements Command {}

  private Behavior<Command> behavior(Duration timeout) {
    return Behaviors.setup(ctx -> DistributedData.<Command, ORSet<String>>withReplicatorMessageAdapter(replicator ->
        Behaviors.withTimers(timers -> {
          replicator.subscribe(DATA_KEY, Changed::new);
          timers.startTimerWithFixedDelay(Check.INSTANCE, CHECK);
          return new Finder(ctx, replicator, timeout, timers).waiting();
        })));
  }

  /** Looks for the secret until it is known; on the oldest member, makes one if the cluster has none. */
  private final class Finder {
    private final ActorContext<Command> ctx;
    private final ReplicatorMessageAdapter<Command, ORSet<String>> replicator;
    private final Duration timeout;
    private final org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers;
    private final SelfUniqueAddress self;
    private boolean asked;

    Finder(ActorContext<Command> ctx, ReplicatorMessageAdapter<Command, ORSet<String>> replicator, Duration timeout,
        org.apache.pekko.actor.typed.javadsl.TimerScheduler<Command> timers) {
      this.ctx = ctx;
      this.replicator = replicator;
      this.timeout = timeout;
      this.timers = timers;
      this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    }

    /** No secret known yet. */
    Behavior<Command> waiting() {
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, msg -> adopt(msg.response()) ? known() : Behaviors.same())
          .onMessage(Check.class, msg -> onCheck())
          .onMessage(Read.class, this::onRead)
          .onMessage(Written.class, msg -> Behaviors.same())
          .build();
    }

    /** A secret is known; later additions (another member's, after a split) are taken in too. */
    Behavior<Command> known() {
      timers.cancel(Check.INSTANCE);
      return Behaviors.receive(Command.class)
          .onMessage(Changed.class, msg -> {
            adopt(msg.response());
            return Behaviors.same();
          })
          .onAnyMessage(msg -> Behaviors.same())
          .build();
    }

    private Behavior<Command> onCheck() {
      if (!asked && isOldestUp()) {
        asked = true; // one read at a time; its answer (or failure) clears the flag
        replicator.askGet(replyTo -> new Replicator.Get<>(DATA_KEY, new Replicator.ReadMajority(timeout), replyTo), Read::new);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onRead(Read msg) {
      asked = false;
      Replicator.GetResponse<ORSet<String>> r = msg.response();
      if (r instanceof Replicator.GetSuccess<ORSet<String>> s && adoptSet(s.get(DATA_KEY))) return known();
      if (r instanceof Replicator.GetFailure) return Behaviors.same(); // no majority answered: ask again later
      if (!isOldestUp()) return Behaviors.same();
      byte[] secret = new byte[32];
      RANDOM.nextBytes(secret);
      byte[] idBytes = new byte[6];
      RANDOM.nextBytes(idBytes);
      Key key = new Key("g" + Base64.getUrlEncoder().withoutPadding().encodeToString(idBytes), secret);
      replicator.askUpdate(replyTo -> new Replicator.Update<>(DATA_KEY, ORSet.create(), new Replicator.WriteAll(timeout), replyTo,
          set -> set.add(self, encode(key))), Written::new);
      log.warn("no resume-token secret is configured (CLUSTER_SECRET): this node, the cluster's oldest, generated"
          + " a random one ({}) and shares it with the cluster; resume tokens die with the cluster", key.id());
      set(List.of(key));
      return known();
    }

    private boolean isOldestUp() {
      Cluster cluster = Cluster.get(ctx.getSystem());
      Member me = cluster.selfMember();
      if (me.status() != MemberStatus.up()) return false;
      for (Member m : cluster.state().getMembers()) {
        if (m.status() == MemberStatus.up() && m.isOlderThan(me)) return false;
      }
      return true;
    }

    private boolean adopt(Replicator.SubscribeResponse<ORSet<String>> r) {
      return r instanceof Replicator.Changed<ORSet<String>> c && adoptSet(c.get(DATA_KEY));
    }

    private boolean adoptSet(ORSet<String> set) {
      List<Key> found = new ArrayList<>();
      for (String e : set.getElements()) {
        int colon = e.indexOf(':');
        if (colon > 0) found.add(new Key(e.substring(0, colon), Base64.getDecoder().decode(e.substring(colon + 1))));
      }
      if (found.isEmpty()) return false;
      found.sort(Comparator.comparing(Key::id));
      set(found);
      return true;
    }
  }

  private void set(List<Key> found) {
    keys = List.copyOf(found);
    first.complete(keys);
  }

  private static String encode(Key key) {
    return key.id() + ":" + Base64.getEncoder().encodeToString(key.secret());
  }
}
