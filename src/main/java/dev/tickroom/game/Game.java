package dev.tickroom.game;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The game logic SPI: one implementation per game, written as plain Java with no actor types.
 *
 * <p>The room calls these methods one at a time, never concurrently. A game is deterministic: time is the
 * tick number and randomness comes from the room's seed ({@link RoomSeed#rng()}), so the same joins and
 * inputs always give the same states and a game is unit tested with plain JUnit. A game may mutate its
 * state in place and return it, or return a new one.
 *
 * <p>An exception thrown from any method ends that room (logged with the room id and tick), never the node.
 *
 * <p>One instance serves every room of its game at once (the registry creates one per game): keep all
 * room data in the state, never in fields of the game; {@link GameRegistry} refuses mutable instance fields.
 *
 * @param <S> the game's state type
 */
public interface Game<S> {
  /** Name, tick rate, capacity. */
  GameSpec spec();

  /** The state of a new room. */
  S create(RoomSeed seed);

  /** Accept or reject a player before it joins (the room already enforces {@link GameSpec#maxPlayers()}). */
  default Admission admit(S state, PlayerId who) {
    return Admission.accept();
  }

  /** {@link #admit(Object, PlayerId)} with the player's verified identity (anonymous without an authenticator). */
  default Admission admit(S state, PlayerId who, Identity identity) {
    return admit(state, who);
  }

  /** A player joined (or came back with a resume token; then {@code who} is its old id). */
  Step<S> join(S state, PlayerId who, String name);

  /** {@link #join(Object, PlayerId, String)} with the player's verified identity, to tag it by a claim. */
  default Step<S> join(S state, PlayerId who, String name, Identity identity) {
    return join(state, who, name);
  }

  /** A player left the room. */
  Step<S> leave(S state, PlayerId who, LeaveReason why);

  /** Advance one tick, applying all of this tick's inputs in arrival order. */
  Step<S> tick(S state, long tick, List<Input> inputs);

  // ---- v1.1 (issue #12): options, typed inputs, dispose. Defaults keep v1 games working unchanged.

  /** As {@link #admit(Object, PlayerId, Identity)}, with the {@code options} object of the join (null if none). */
  default Admission admit(S state, PlayerId who, Identity identity, JsonNode options) {
    return admit(state, who, identity);
  }

  /** As {@link #join(Object, PlayerId, String, Identity)}, with the {@code options} object of the join (null if none). */
  default Step<S> join(S state, PlayerId who, String name, Identity identity, JsonNode options) {
    return join(state, who, name, identity);
  }

  /**
   * The record type {@code input.data} is decoded into before {@link #tick}, or null for raw JSON. Data that
   * does not fit the type (missing, extra-typed or out-of-range fields, a record constructor that throws)
   * is answered with {@code bad_input} by the server and never reaches the game; see {@link Input#value}.
   */
  default Class<?> inputType() {
    return null;
  }

  /** The room ends for good (finished, empty, or closed after a failure): release what the state holds. */
  default void dispose(S state) {}

  /**
   * What a member sees, rendered into the {@code state} field of {@code joined} and {@code state}
   * messages. With {@link GameSpec#sharedView()} the room calls it once per tick with {@code forWhom} null.
   * The result is serialised with Jackson: a record, a Map or a JsonNode.
   */
  Object view(S state, PlayerId forWhom);

  /** The whole state as JSON, so a room can move to another node and resume. */
  JsonNode snapshot(S state);

  /** Rebuild a state from {@link #snapshot}. */
  S restore(RoomSeed seed, JsonNode snapshot);

  /** The format of {@link #snapshot}: raise it when that format changes, and read older ones in restore. */
  default int snapshotVersion() { return 1; }

  /** Rebuild a state from a snapshot written in format {@code version} (perhaps by the previous release). */
  default S restore(RoomSeed seed, JsonNode snapshot, int version) { return restore(seed, snapshot); }
}
