package dev.tickroom.game;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * A game whose state Jackson can write and read back, typically an immutable record: {@link #snapshot} and
 * {@link #restore} come for free. The state type is found from {@code implements JsonStateGame<MyState>};
 * override {@link #stateType()} when it cannot be.
 */
public interface JsonStateGame<S> extends Game<S> {

  @Override
  default JsonNode snapshot(S state) {
    return GameJson.MAPPER.valueToTree(state);
  }

  @Override
  default S restore(RoomSeed seed, JsonNode snapshot) {
    try {
      return GameJson.MAPPER.treeToValue(snapshot, stateType());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("snapshot of " + spec().name() + " does not fit " + stateType().getName(), e);
    }
  }

  /** The state class, from the type argument of {@code JsonStateGame<S>} on this class or a superclass. */
  @SuppressWarnings("unchecked")
  default Class<S> stateType() {
    for (Class<?> c = getClass(); c != null; c = c.getSuperclass()) {
      for (Type t : c.getGenericInterfaces()) {
        if (t instanceof ParameterizedType p && p.getRawType() == JsonStateGame.class
            && p.getActualTypeArguments()[0] instanceof Class<?> s) {
          return (Class<S>) s;
        }
      }
    }
    throw new IllegalStateException(getClass().getName() + ": override stateType() to name the state class");
  }
}
