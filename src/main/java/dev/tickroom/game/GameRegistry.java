package dev.tickroom.game;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The games a node can run, by name; built once from config. One instance per game serves every room of
 * that game at once, on many threads: so a game keeps all room data in its state, and the registry refuses
 * a game class with instance fields that can change (non-final fields, or final arrays, collections, maps
 * and atomics). Static constants and final immutable fields (a name, a number, a record) are fine.
 */
public final class GameRegistry {
  private final Map<String, Game<?>> games;
  private final String defaultGame;

  public GameRegistry(Map<String, Game<?>> games, String defaultGame) {
    games.values().forEach(GameRegistry::checkShareable);
    this.games = Collections.unmodifiableMap(new LinkedHashMap<>(games));
    if (!this.games.containsKey(defaultGame)) {
      throw new IllegalArgumentException("default game '" + defaultGame + "' is not registered: " + games.keySet());
    }
    this.defaultGame = defaultGame;
  }

  /** Instantiates each class by its public no-argument constructor. */
  public static GameRegistry fromClassNames(Map<String, String> classNames, String defaultGame) {
    Map<String, Game<?>> games = new LinkedHashMap<>();
    classNames.forEach((name, className) -> {
      try {
        Object instance = Class.forName(className).getDeclaredConstructor().newInstance();
        if (!(instance instanceof Game<?> game)) {
          throw new IllegalArgumentException(className + " does not implement " + Game.class.getName());
        }
        if (!game.spec().name().equals(name)) {
          throw new IllegalArgumentException("game registered as '" + name + "' calls itself '" + game.spec().name() + "'");
        }
        games.put(name, game);
      } catch (ReflectiveOperationException e) {
        throw new IllegalArgumentException("cannot load game '" + name + "' from " + className + ": " + e, e);
      }
    });
    return new GameRegistry(games, defaultGame);
  }

  /** Throws when {@code game}'s class has instance fields through which rooms would share mutable data. */
  public static void checkShareable(Game<?> game) {
    for (Class<?> c = game.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        int m = f.getModifiers();
        if (Modifier.isStatic(m) || f.isSynthetic()) continue;
        Class<?> t = f.getType();
        boolean mutableType = t.isArray() || Collection.class.isAssignableFrom(t) || Map.class.isAssignableFrom(t)
            || t.getName().startsWith("java.util.concurrent.atomic.");
        if (!Modifier.isFinal(m) || mutableType) {
          throw new IllegalArgumentException("game " + game.getClass().getName() + " has the mutable instance field '"
              + f.getName() + "': one game instance serves every room at once, so room data belongs in the state");
        }
      }
    }
  }

  public Optional<Game<?>> find(String name) {
    return Optional.ofNullable(games.get(name));
  }

  public String defaultGame() {
    return defaultGame;
  }

  public Set<String> names() {
    return games.keySet();
  }
}
