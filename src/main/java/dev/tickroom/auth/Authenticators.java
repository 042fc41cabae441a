package dev.tickroom.auth;

import com.typesafe.config.Config;
import dev.tickroom.config.Settings;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Optional;

/** The authenticator that {@code tickroom.auth.authenticator} names; empty for {@code none}. */
public final class Authenticators {
  private Authenticators() {}

  public static Optional<Authenticator> fromSettings(Settings.Auth auth, Config config) {
    String name = auth.authenticator();
    switch (name) {
      case "none", "":
        return Optional.empty();
      case "jwt":
        return Optional.of(new JwtAuthenticator(auth.jwt()));
      default:
        return Optional.of(load(name, config));
    }
  }

  /** A studio's own class: public, with a public constructor taking the Config, or none. */
  static Authenticator load(String className, Config config) {
    Class<?> c;
    try {
      c = Class.forName(className);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("tickroom.auth.authenticator: no class " + className
          + " (use none, jwt, or the class name of an implementation of " + Authenticator.class.getName() + ")");
    }
    if (!Authenticator.class.isAssignableFrom(c)) {
      throw new IllegalArgumentException("tickroom.auth.authenticator: " + className + " does not implement " + Authenticator.class.getName());
    }
    try {
      Constructor<?> withConfig = findConstructor(c, Config.class);
      Object instance = withConfig != null ? withConfig.newInstance(config) : c.getConstructor().newInstance();
      return (Authenticator) instance;
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException("tickroom.auth.authenticator: " + className
          + " needs a public no-arg constructor or one taking a com.typesafe.config.Config");
    } catch (InvocationTargetException e) {
      throw new IllegalArgumentException("tickroom.auth.authenticator: " + className + " failed to start: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException("tickroom.auth.authenticator: cannot create " + className + ": " + e, e);
    }
  }

  private static Constructor<?> findConstructor(Class<?> c, Class<?> param) {
    try {
      return c.getConstructor(param);
    } catch (NoSuchMethodException e) {
      return null;
    }
  }
}
