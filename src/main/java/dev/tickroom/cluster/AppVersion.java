package dev.tickroom.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;

/**
 * The version of this build, written into {@code tickroom-build.properties} by Maven resource filtering.
 * It becomes {@code pekko.cluster.app-version}, so that during a rolling deploy sharding places rooms on
 * the nodes of the newest version and a room moves once per rollout rather than once per restarted node.
 */
public final class AppVersion {
  static final String RESOURCE = "/tickroom-build.properties";
  /** Pekko's default, used when the build did not filter the file (e.g. classes run from an IDE). */
  static final String UNKNOWN = "0.0.0";

  private AppVersion() {}

  /** The project version of this build, or {@value #UNKNOWN}. */
  public static String ofBuild() {
    try (InputStream in = AppVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) return UNKNOWN;
      Properties p = new Properties();
      p.load(in);
      return parse(p.getProperty("version"));
    } catch (IOException e) {
      return UNKNOWN;
    }
  }

  static String parse(String version) {
    if (version == null || version.isBlank() || version.contains("${")) return UNKNOWN;
    return version.trim();
  }

  /**
   * A config layer that sets {@code pekko.cluster.app-version} to the build's version; meant to sit below
   * application.conf, so {@code APP_VERSION} or {@code -Dpekko.cluster.app-version} still win.
   */
  public static Config asConfig() {
    return ConfigFactory.parseMap(Map.of("pekko.cluster.app-version", ofBuild()));
  }
}
