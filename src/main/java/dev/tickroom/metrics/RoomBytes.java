package dev.tickroom.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes this node sent to each room's members (states and joins), for the admin view: who costs what. Bounded:
 * at most {@code maxRooms} rooms are tracked; when a new room would exceed that, the room with the fewest
 * bytes is forgotten first, so the big spenders stay. Thread-safe; a removal race can lose a few bytes of a
 * small room, which only ever makes the figure lower.
 */
public final class RoomBytes {
  public static final int DEFAULT_ROOMS = 10_000;

  private final int maxRooms;
  private final Map<String, LongAdder> rooms = new ConcurrentHashMap<>();

  public RoomBytes(int maxRooms) {
    this.maxRooms = maxRooms;
  }

  public void add(String room, int bytes) {
    LongAdder a = rooms.get(room);
    if (a == null) {
      if (rooms.size() >= maxRooms) evictSmallest();
      a = rooms.computeIfAbsent(room, r -> new LongAdder());
    }
    a.add(bytes);
  }

  private synchronized void evictSmallest() {
    if (rooms.size() < maxRooms) return;
    rooms.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().sum()))
        .ifPresent(e -> rooms.remove(e.getKey()));
  }

  /** One room's total. */
  public record Entry(String room, long bytes) {}

  /** The {@code n} rooms with the most bytes sent, most first. */
  public List<Entry> top(int n) {
    List<Entry> all = new ArrayList<>(rooms.size());
    rooms.forEach((r, a) -> all.add(new Entry(r, a.sum())));
    all.sort(Comparator.comparingLong(Entry::bytes).reversed());
    return all.size() > n ? new ArrayList<>(all.subList(0, n)) : all;
  }

  /** Forgets a room (it stopped). */
  public void remove(String room) {
    rooms.remove(room);
  }
}
