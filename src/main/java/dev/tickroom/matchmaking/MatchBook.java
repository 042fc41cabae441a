package dev.tickroom.matchmaking;

import dev.tickroom.room.RoomListing;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The seat book of one matchmaker (one game and filter): which rooms match, how full each one is, and the
 * seats it handed out that the rooms do not show yet. Plain Java, driven by its actor one call at a time.
 *
 * <p>A room's count is its members as last published plus the seats reserved for players not among them, so
 * quick joins that arrive before a room's listing catches up still fill it instead of opening another.
 * A reservation ends when the room lists its player, when the same player asks again, or after
 * {@code maxAge} prune rounds. Rooms this book opened count from the moment they are handed out.
 */
final class MatchBook {
  /** Where a quick join goes; {@code created}: the room is new and should be labelled with the filter. */
  record Pick(String room, boolean created) {}

  private record Reservation(String room, long round) {}

  private static final class Room {
    final String id;
    int maxPlayers;
    Set<String> members = Set.of();
    boolean listed;
    /** The room reports to this book itself: its reports are fresher than any replicated listing. */
    boolean reported;
    long openedRound;

    Room(String id, int maxPlayers, long round) {
      this.id = id;
      this.maxPlayers = maxPlayers;
      this.openedRound = round;
    }
  }

  private final String game;
  private final Map<String, Object> filter;
  private final int maxPlayers;
  private final int maxAge;
  private final Map<String, Room> rooms = new LinkedHashMap<>();
  private final Map<String, Reservation> reservations = new HashMap<>();
  /** Rooms that reported their end, with the round: a stale replicated listing must not bring them back. */
  private final Map<String, Long> ended = new HashMap<>();
  private long round;

  MatchBook(String game, Map<String, Object> filter, int maxPlayers, int maxAge) {
    this.game = game;
    this.filter = Map.copyOf(filter);
    this.maxPlayers = maxPlayers;
    this.maxAge = maxAge;
  }

  /** Picks the fullest matching room with a free seat outside {@code avoid}, or opens one; reserves the seat. */
  Pick pick(String player, Collection<String> avoid, Supplier<String> newRoomId) {
    reservations.remove(player);
    Map<String, Integer> counts = counts();
    Room best = null;
    int bestCount = -1;
    for (Room r : rooms.values()) {
      if (avoid.contains(r.id)) continue;
      int c = counts.getOrDefault(r.id, 0);
      if (c < r.maxPlayers && (c > bestCount || (c == bestCount && r.id.compareTo(best.id) < 0))) {
        best = r;
        bestCount = c;
      }
    }
    boolean created = false;
    if (best == null) {
      String id = newRoomId.get();
      best = new Room(id, maxPlayers, round);
      rooms.put(id, best);
      created = true;
    }
    reservations.put(player, new Reservation(best.id, round));
    return new Pick(best.id, created);
  }

  /** Members plus outstanding reservations, per room. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new HashMap<>();
    for (Room r : rooms.values()) counts.put(r.id, r.members.size());
    reservations.forEach((player, res) -> {
      Room r = rooms.get(res.room());
      if (r != null && !r.members.contains(player)) counts.merge(r.id, 1, Integer::sum);
    });
    return counts;
  }

  /** The current listings of the whole cluster (live nodes only): keeps the rooms of this game and filter. */
  void listings(Collection<RoomListing> all) {
    Set<String> seen = new HashSet<>();
    for (RoomListing l : all) {
      if (!l.game().equals(game) || !l.matches(filter) || ended.containsKey(l.room())) continue;
      seen.add(l.room());
      Room known = rooms.get(l.room());
      if (known == null || !known.reported) take(l); // a replica may lag behind the room's own report
    }
    dropListedReservations();
    // a room that was listed and is not any more has ended (or its label no longer matches)
    rooms.values().removeIf(r -> r.listed && !r.reported && !seen.contains(r.id));
  }

  /** One room's own report of its members and label (exact, and sooner than the replicated listings). */
  void listing(RoomListing l) {
    if (!l.game().equals(game) || ended.containsKey(l.room())) return;
    if (!l.matches(filter)) {
      rooms.remove(l.room()); // its label no longer matches (e.g. a game that labels a started round)
      return;
    }
    take(l);
    rooms.get(l.room()).reported = true;
    dropListedReservations();
  }

  /** The room is over: no more seats in it, and its seats handed out are void. */
  void ended(String room) {
    rooms.remove(room);
    reservations.values().removeIf(res -> res.room().equals(room));
    ended.put(room, round);
  }

  private void take(RoomListing l) {
    Room r = rooms.computeIfAbsent(l.room(), id -> new Room(id, l.maxPlayers(), round));
    r.maxPlayers = l.maxPlayers();
    r.members = new HashSet<>(l.members());
    r.listed = true;
  }

  private void dropListedReservations() {
    reservations.entrySet().removeIf(e -> {
      Room r = rooms.get(e.getValue().room());
      return r != null && r.members.contains(e.getKey());
    });
  }

  /** One prune round: reservations and unlisted new rooms older than {@code maxAge} rounds go. */
  void prune() {
    round++;
    reservations.values().removeIf(res -> round - res.round() > maxAge);
    Set<String> reserved = new HashSet<>();
    reservations.values().forEach(res -> reserved.add(res.room()));
    rooms.values().removeIf(r -> !r.listed && !reserved.contains(r.id) && round - r.openedRound > maxAge);
    ended.values().removeIf(at -> round - at > maxAge);
  }

  /** A player's join to {@code room} was refused: its reservation goes, and a full room counts as full. */
  void refused(String player, String room, boolean full) {
    Reservation res = reservations.get(player);
    if (res != null && res.room().equals(room)) reservations.remove(player);
    Room r = rooms.get(room);
    if (r != null && full && r.members.size() < r.maxPlayers) {
      // our view is behind: the room is full; assume so until its listing says otherwise
      r.members = new HashSet<>(r.members);
      for (int i = 0; r.members.size() < r.maxPlayers; i++) r.members.add("\u0000seat-" + i);
    }
  }

  boolean idle() {
    return rooms.isEmpty() && reservations.isEmpty() && ended.isEmpty();
  }

  int rooms() {
    return rooms.size();
  }
}
