package dev.tickroom.room;

import dev.tickroom.cluster.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A running room as the lobby and the matchmakers see it, published by the room itself whenever its
 * members or label change (issue #12). {@code node} is the cluster address of the room's node, so entries
 * of a node that is gone can be left out; {@code members} are the player ids in the room; {@code filter} is the quick-join filter the room
 * was opened with (null if a plain join opened it), which names the matchmaker the room reports to.
 */
public record RoomListing(String room, String game, List<String> members, int maxPlayers, Map<String, Object> label,
    String node, Map<String, Object> filter) implements CborSerializable {
  public RoomListing {
    members = members == null ? List.of() : List.copyOf(members);
    label = label == null ? Map.of() : Map.copyOf(label);
  }

  public RoomListing(String room, String game, List<String> members, int maxPlayers, Map<String, Object> label, String node) {
    this(room, game, members, maxPlayers, label, node, null);
  }

  public int players() {
    return members.size();
  }

  /** True when the label has every key of {@code filter} with an equal value (numbers compared as numbers). */
  public boolean matches(Map<String, Object> filter) {
    for (Map.Entry<String, Object> e : filter.entrySet()) {
      Object v = label.get(e.getKey());
      if (v == null || !sameValue(v, e.getValue())) return false;
    }
    return true;
  }

  static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue(), y.doubleValue()) == 0;
    return a.equals(b);
  }
}
