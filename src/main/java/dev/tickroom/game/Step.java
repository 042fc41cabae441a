package dev.tickroom.game;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of one call into a game: the new state and its effects. Effects are errors and events for
 * members, players to remove, a new room label, and the end of the game. Build one with {@link #of} and the
 * chained methods. A Step is made and read on the room's thread only.
 */
public final class Step<S> {
  /** An error for one player, e.g. {@code not_your_turn}; it reaches the client as an {@code error} line. */
  public record Notice(PlayerId to, String code, String message) {}

  /**
   * A game message that is not part of the state: {@code event} {room, name, data} to one member, or to every
   * member when {@code to} is null. {@code data} is anything Jackson writes (record, Map, JsonNode, null).
   */
  public record Event(PlayerId to, String name, Object data) {
    public Event {
      if (name == null || name.isEmpty() || name.length() > 64) {
        throw new IllegalArgumentException("an event name is 1..64 characters, was " + name);
      }
    }
  }

  private final S state;
  private List<Notice> notices = List.of();
  private List<Event> events = List.of();
  private List<PlayerId> kicks = List.of();
  private Map<String, Object> label;
  private boolean finished;
  private Object result;

  private Step(S state) {
    this.state = state;
  }

  public static <S> Step<S> of(S state) {
    return new Step<>(state);
  }

  /** A step with {@code newState} and every effect of this one so far (events keep their order). */
  public <T> Step<T> withState(T newState) {
    Step<T> next = new Step<>(newState);
    next.notices = notices.isEmpty() ? List.of() : new ArrayList<>(notices);
    next.events = events.isEmpty() ? List.of() : new ArrayList<>(events);
    next.kicks = kicks.isEmpty() ? List.of() : new ArrayList<>(kicks);
    next.label = label;
    next.finished = finished;
    next.result = result;
    return next;
  }

  /** Tell one player about a rejected input; the client gets {@code error} {code, message}. */
  public Step<S> error(PlayerId to, String code, String message) {
    if (notices.isEmpty()) notices = new ArrayList<>(2);
    notices.add(new Notice(to, code, message));
    return this;
  }

  /** Send {@code event} {room, name, data} to every member, after this step's state. */
  public Step<S> event(String name, Object data) {
    return addEvent(new Event(null, name, data));
  }

  /** Send {@code event} {room, name, data} to one member only. */
  public Step<S> eventTo(PlayerId to, String name, Object data) {
    if (to == null) throw new IllegalArgumentException("eventTo needs a player; use event(...) for everyone");
    return addEvent(new Event(to, name, data));
  }

  private Step<S> addEvent(Event e) {
    if (events.isEmpty()) events = new ArrayList<>(2);
    events.add(e);
    return this;
  }

  /** Remove a player from the room after this step. */
  public Step<S> kick(PlayerId who) {
    if (kicks.isEmpty()) kicks = new ArrayList<>(2);
    kicks.add(who);
    return this;
  }

  /**
   * Set the room's label: what {@code list_rooms} shows and {@code quick_join} filters match. Values are
   * strings, numbers or booleans; at most {@value #MAX_LABEL_KEYS} keys. The label replaces the previous one
   * set by the game; keys of the filter that created the room stay unless the game sets them too.
   */
  public Step<S> label(Map<String, ?> label) {
    this.label = checkLabel(label);
    return this;
  }

  public static final int MAX_LABEL_KEYS = 16;

  /** A copy of {@code label} in key order, or an exception naming what a label may not hold. */
  public static Map<String, Object> checkLabel(Map<String, ?> label) {
    if (label == null) throw new IllegalArgumentException("a label is a map, not null");
    if (label.size() > MAX_LABEL_KEYS) throw new IllegalArgumentException("a label has at most " + MAX_LABEL_KEYS + " keys");
    Map<String, Object> copy = new LinkedHashMap<>();
    label.forEach((k, v) -> {
      if (k == null || k.isEmpty() || k.length() > 64) throw new IllegalArgumentException("a label key is 1..64 characters");
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw new IllegalArgumentException("label '" + k + "' must be a string, number or boolean, was " + v);
      }
      if (v instanceof String s && s.length() > 256) throw new IllegalArgumentException("label '" + k + "' is longer than 256");
      copy.put(k, v);
    });
    return Collections.unmodifiableMap(copy);
  }

  /** End the game with no result: as {@link #finish(Object)} with null. */
  public Step<S> finish() {
    return finish(null);
  }

  /**
   * End the game: after this step every member gets the final {@code state}, then {@code left} {room,
   * reason: "finished", result}, and the room ends (its game's {@link Game#dispose} is called).
   *
   * @param result the game's JSON summary (record, Map, JsonNode) or null
   */
  public Step<S> finish(Object result) {
    finished = true;
    this.result = result;
    return this;
  }

  public S state() {
    return state;
  }

  public List<Notice> notices() {
    return Collections.unmodifiableList(notices);
  }

  public List<Event> events() {
    return Collections.unmodifiableList(events);
  }

  public List<PlayerId> kicks() {
    return Collections.unmodifiableList(kicks);
  }

  /** The label set by this step, or null when it left the label as it was. */
  public Map<String, Object> label() {
    return label;
  }

  public boolean finished() {
    return finished;
  }

  /** The result given to {@link #finish(Object)}; null if none. */
  public Object result() {
    return result;
  }
}
