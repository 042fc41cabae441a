package dev.tickroom.game;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The games a node can run, by name; built once from config. */
public final class GameRegistry {
  private final Map<String, Game<?>> games;
  private final String defaultGame;

  public GameRegistry(Map<String, Game<?>> games, String defaultGame) {
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
