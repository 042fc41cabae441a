package dev.tickroom.matchmaking;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.tickroom.cluster.CborSerializable;
import dev.tickroom.game.GameJson;
import dev.tickroom.room.RoomListing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One matchmaker per game and filter, a Cluster Sharding entity: every quick join for the same game and
 * filter, from any node, is answered by this one actor, one at a time, so two players asking at the same
 * moment get seats in the same room while it has any. It learns the rooms from the replicated listings
 * ({@link RoomDirectory}) and keeps the seats it handed out in a {@link MatchBook} until the rooms list them.
 * The entity id is {@link #entityId}: the game and the filter, so it needs no other start message.
 */
public final class Matchmaker {
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Matchmaker");

  public interface Command extends CborSerializable {}

  /** A seat for {@code player}, in none of the rooms in {@code avoid} (they refused it a moment ago). */
  public record Find(String player, List<String> avoid, ActorRef<Found> replyTo) implements Command {}

  /** Where to join; {@code created}: a new room, to be labelled with {@code label} (the filter). */
  public record Found(String room, boolean created, Map<String, Object> label) implements CborSerializable {}

  /** The room refused {@code player} ({@code full}: with room_full), so the book stops counting that seat. */
  public record Refused(String player, String room, boolean full) implements Command {}

  /** A room this matchmaker opened reports its members and label, or that it ended ({@code ended}). */
  public record RoomReport(RoomListing listing, boolean ended) implements Command {}

  /** Sent by sharding when the entity moves. */
  public enum Stop implements Command { INSTANCE }

  private record Listings(Map<String, RoomListing> rooms) implements Command {}

  private enum Prune implements Command { INSTANCE }

  /** What a matchmaker needs from its node. */
  public record Deps(java.util.function.ToIntFunction<String> maxPlayers, Predicate<String> nodeUp,
      Duration pruneInterval, int reservationRounds) {}

  private Matchmaker() {}

  /** The id of the matchmaker for {@code game} and {@code filter}: the game, a newline, the filter as sorted JSON. */
  public static String entityId(String game, Map<String, Object> filter) {
    return game + "\n" + new String(GameJson.write(new TreeMap<>(filter)), java.nio.charset.StandardCharsets.UTF_8);
  }

  static String gameOf(String entityId) {
    return entityId.substring(0, entityId.indexOf('\n'));
  }

  static Map<String, Object> filterOf(String entityId) {
    try {
      return GameJson.MAPPER.readValue(entityId.substring(entityId.indexOf('\n') + 1), new TypeReference<TreeMap<String, Object>>() {});
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("bad matchmaker id " + entityId, e);
    }
  }

  public static Behavior<Command> create(String entityId, Deps deps, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> DistributedData.withReplicatorMessageAdapter(
        (org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter<Command, LWWMap<String, RoomListing>> replicator) -> {
      String game = gameOf(entityId);
      Map<String, Object> filter = filterOf(entityId);
      MatchBook book = new MatchBook(game, filter, deps.maxPlayers().applyAsInt(game), deps.reservationRounds());
      replicator.subscribe(RoomDirectory.KEY, rsp -> rsp instanceof Replicator.Changed<LWWMap<String, RoomListing>> changed
          ? new Listings(changed.get(RoomDirectory.KEY).getEntries()) : new Listings(Map.of()));
      replicator.askGet(replyTo -> new Replicator.Get<>(RoomDirectory.KEY, Replicator.readLocal(), replyTo),
          rsp -> rsp instanceof Replicator.GetSuccess<LWWMap<String, RoomListing>> ok
              ? new Listings(ok.get(RoomDirectory.KEY).getEntries()) : new Listings(Map.of()));
      timers.startTimerWithFixedDelay(Prune.INSTANCE, deps.pruneInterval());
      return Behaviors.receive(Command.class)
          .onMessage(Find.class, msg -> {
            MatchBook.Pick pick = book.pick(msg.player(), msg.avoid(), () -> game + "-" + UUID.randomUUID().toString().substring(0, 8));
            msg.replyTo().tell(new Found(pick.room(), pick.created(), filter));
            return Behaviors.same();
          })
          .onMessage(Refused.class, msg -> {
            book.refused(msg.player(), msg.room(), msg.full());
            return Behaviors.same();
          })
          .onMessage(RoomReport.class, msg -> {
            if (msg.ended()) book.ended(msg.listing().room());
            else book.listing(msg.listing());
            return Behaviors.same();
          })
          .onMessage(Listings.class, msg -> {
            book.listings(msg.rooms().values().stream().filter(l -> deps.nodeUp().test(l.node())).toList());
            return Behaviors.same();
          })
          .onMessage(Prune.class, msg -> {
            book.prune();
            if (book.idle() && shard != null) shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
            return Behaviors.same();
          })
          .onMessage(Stop.class, msg -> Behaviors.stopped())
          .build();
    })));
  }
}
