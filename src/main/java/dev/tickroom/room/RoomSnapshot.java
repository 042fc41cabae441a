package dev.tickroom.room;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.cluster.CborSerializable;
import java.util.List;

/**
 * Everything a room needs to resume on another node: its game, seed, tick, the game's own snapshot and
 * its members (with the serialized path of each member's session, so sessions on live nodes are re-attached).
 */
public record RoomSnapshot(
    String roomId, String game, long seed, long tick, JsonNode gameState, List<Member> members)
    implements CborSerializable {

  public record Member(String player, String name, long ack, String session) implements CborSerializable {}
}
