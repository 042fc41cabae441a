package dev.tickroom.room;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tickroom.cluster.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything a room needs to resume on another node: its game, seed, tick, the game's own snapshot (in the
 * game's format {@code gameVersion}, packed: {@link PackedTree}) and its members (with the serialized path of each member's session, so
 * sessions on live nodes are re-attached).
 *
 * <p>{@code incarnation} grows by one each time the room is restored; the store orders snapshots by
 * (incarnation, tick), never by wall clock, so a zombie incarnation or a skewed clock cannot overwrite a
 * newer snapshot. {@code savedAtMillis} (wall clock) only decides when an abandoned snapshot expires.
 * {@code closed}: a tombstone, the room's game failed; joins get {@code room_closed} until it expires.
 * {@code label} and {@code openedBy} (the quick-join filter that opened the room, or null) keep a moved room
 * listed as it was and linked to its matchmaker; null in snapshots that lack them.
 *
 * <p>Its serialized format has a version (see {@link RoomFormats}): the fields after {@code members} came
 * with version 2 ({@code label} and {@code openedBy} may be absent: null).
 */
public record RoomSnapshot(
    String roomId, String game, long seed, long tick, PackedTree gameState, List<Member> members,
    long incarnation, int gameVersion, long savedAtMillis, boolean closed,
    Map<String, Object> label, Map<String, Object> openedBy)
    implements CborSerializable {

  public record Member(String player, String name, long ack, String session) implements CborSerializable {}

  private static final long TICK_BITS = 40;
  private static final long MAX_TICK = (1L << TICK_BITS) - 1;

  /** The order of snapshots of one room: a later incarnation wins, then a later tick; a tombstone ends its incarnation. */
  @JsonIgnore
  public long order() {
    return (incarnation << TICK_BITS) | (closed ? MAX_TICK : Math.min(tick, MAX_TICK - 1));
  }

  /** Not refreshed for longer than its time to live: the room no longer runs anywhere. */
  public boolean expired(long nowMillis, Duration snapshotTtl, Duration closedTtl) {
    return nowMillis - savedAtMillis > (closed ? closedTtl : snapshotTtl).toMillis();
  }

  /** A tombstone for a room whose game failed at {@code tick}. */
  public static RoomSnapshot tombstone(String roomId, String game, long incarnation, long tick, List<Member> members,
      long nowMillis) {
    return new RoomSnapshot(roomId, game, 0, tick, null, members, incarnation, 0, nowMillis, true, null, null);
  }
}
