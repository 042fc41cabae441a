package dev.tickroom.room;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tickroom.cluster.CborSerializable;
import java.util.Arrays;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a room tells a member's session. Game state travels as JSON bytes that the room encodes once per
 * tick and shares between all members; a member's own {@code ack} rides beside them.
 */
public sealed interface RoomEvent extends CborSerializable {

  /** The join succeeded; {@code room} is the room actor, which the session may watch. */
  record Joined(String roomId, String game, String player, long tick, byte[] state, ActorRef<RoomEntity.Command> room)
      implements RoomEvent {}

  /** The join was refused: {@code room_full}, {@code bad_request} or a game's own code. */
  record Rejected(String roomId, String code, String message) implements RoomEvent {}

  /**
   * One tick's state for this member; {@code delta} (may be null) lets a {@code patch} connection send a patch.
   * The room leaves it out for a member that does not take patches, so only the full state crosses the network.
   */
  record State(String roomId, long tick, long ack, byte[] state, dev.tickroom.protocol.Delta delta) implements RoomEvent {
    public State(String roomId, long tick, long ack, byte[] state) {
      this(roomId, tick, ack, state, null);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State s && s.roomId.equals(roomId) && s.tick == tick && s.ack == ack
          && Arrays.equals(s.state, state);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(tick) * 31 + Long.hashCode(ack);
    }

    @JsonIgnore
    public String stateText() {
      return new String(state, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /** The member is out of the room: it left, or the game removed it. */
  record Left(String roomId) implements RoomEvent {}

  /** v1.1: the game finished; the member is out of the room. {@code result} is JSON ("null" if none). */
  record Finished(String roomId, byte[] result) implements RoomEvent {}

  /** v1.1: a game's own message ({@code data} is JSON) for this member. */
  record GameEvent(String roomId, String name, byte[] data) implements RoomEvent {}

  /** Another session of the same player (a resume on a new connection) took this member's place. */
  record Replaced(String roomId) implements RoomEvent {}

  record Chat(String roomId, String from, String text) implements RoomEvent {}

  /** A game or room error for this member only, e.g. {@code not_your_turn}. */
  record Error(String roomId, String code, String message) implements RoomEvent {}

  /**
   * The room hands off to another node (sharding moves its shard): its members join it again through
   * sharding, where it restarts from the snapshot it saves before it stops.
   */
  record Moving(String roomId) implements RoomEvent {}

  /** The room ended (a bug in its game code, or it was shut down); members are out of it. */
  record Closed(String roomId, String reason) implements RoomEvent {}
}
