package dev.tickroom.matchmaking;

import dev.tickroom.room.RoomListing;
import dev.tickroom.room.RoomListings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The running rooms of the whole cluster, as a replicated map (Distributed Data LWW map: room -> listing)
 * that every room writes locally when its members or label change; gossip spreads it. Rooms opened by a quick
 * join also report to their matchmaker directly. {@code list_rooms}
 * and the matchmakers read it here, never by asking the rooms. Entries of nodes that are not up are left out.
 */
public final class RoomDirectory implements RoomListings {
  static final Key<LWWMap<String, RoomListing>> KEY = LWWMapKey.create("room-listings");
  public static final int MAX_LISTED = 100;

  private final ActorSystem<?> system;
  private final Duration timeout;
  private final SelfUniqueAddress self;

  public RoomDirectory(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
    this.self = DistributedData.get(system).selfUniqueAddress();
  }

  /** This node's cluster address, as rooms put it in their listings. */
  @Override
  public String node() {
    return Cluster.get(system).selfMember().address().toString();
  }

  /**
   * Writes the listing here (gossip takes it to the other nodes) and, for a room a quick join opened, reports it
   * straight to that matchmaker too, which then counts the room's members exactly and at once.
   */
  @Override
  public void publish(RoomListing listing) {
    update(m -> m.put(self, listing.room(), listing));
    report(listing, false);
  }

  @Override
  public void remove(RoomListing last, boolean ended) {
    update(m -> m.remove(self, last.room()));
    if (ended) report(last, true);
  }

  private void report(RoomListing listing, boolean ended) {
    if (listing.filter() == null) return;
    ClusterSharding.get(system).entityRefFor(Matchmaker.TYPE_KEY, Matchmaker.entityId(listing.game(), listing.filter()))
        .tell(new Matchmaker.RoomReport(listing, ended));
  }

  private void update(java.util.function.Function<LWWMap<String, RoomListing>, LWWMap<String, RoomListing>> modify) {
    DistributedData.get(system).replicator().tell(new Replicator.Update<>(KEY, LWWMap.create(), Replicator.writeLocal(),
        system.ignoreRef(), modify));
  }

  /** True when {@code node} is an Up member of the cluster as this node sees it. */
  public boolean nodeUp(String node) {
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.address().toString().equals(node)) return m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp();
    }
    return false;
  }

  /** Rooms of {@code game} (all games if null) on live nodes, fullest first, at most {@value #MAX_LISTED}. */
  public CompletionStage<List<RoomListing>> list(String game) {
    CompletionStage<Replicator.GetResponse<LWWMap<String, RoomListing>>> get = AskPattern.ask(
        DistributedData.get(system).replicator(),
        replyTo -> new Replicator.Get<>(KEY, Replicator.readLocal(), replyTo), timeout, system.scheduler());
    return get.thenApply(rsp -> {
      Map<String, RoomListing> all = rsp instanceof Replicator.GetSuccess<LWWMap<String, RoomListing>> ok
          ? ok.get(KEY).getEntries() : Map.of();
      Set<String> up = new HashSet<>();
      for (Member m : Cluster.get(system).state().getMembers()) {
        if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) up.add(m.address().toString());
      }
      return select(all.values(), game, up::contains);
    });
  }

  /** The listing rule on its own: live nodes, the game asked for, fullest first then by name, at most 100. */
  static List<RoomListing> select(java.util.Collection<RoomListing> all, String game, java.util.function.Predicate<String> nodeUp) {
    List<RoomListing> out = new ArrayList<>();
    for (RoomListing l : all) {
      if ((game == null || game.equals(l.game())) && nodeUp.test(l.node())) out.add(l);
    }
    out.sort(Comparator.comparingInt(RoomListing::players).reversed().thenComparing(RoomListing::room));
    return out.size() > MAX_LISTED ? List.copyOf(out.subList(0, MAX_LISTED)) : out;
  }
}
