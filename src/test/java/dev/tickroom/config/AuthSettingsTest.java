package dev.tickroom.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AuthSettingsTest {
  static final String GOOD = "0123456789abcdef0123456789abcdef-good";

  static Config with(String path, String value) {
    return ConfigFactory.load("application-test").withValue(path, ConfigValueFactory.fromAnyRef(value));
  }

  @Test
  void theDefaultHasNoSecretSoTheClusterGeneratesOne() {
    Settings.Auth auth = Settings.from(ConfigFactory.load("application-test")).auth();
    assertFalse(auth.configuredSecret());
    assertEquals("none", auth.authenticator());
  }

  @Test
  void aPublishedOrShortSecretStopsTheNodeFromStarting() {
    for (String secret : new String[] {"change-me-in-production", "local-cluster-secret", "compose-dev-secret", "replace-me-with-a-long-random-string", "short"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> Settings.from(with("tickroom.auth.resume-keys.current-secret", secret)), secret);
      assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    }
    assertTrue(Settings.from(with("tickroom.auth.resume-keys.current-secret", GOOD)).auth().configuredSecret());
  }

  @Test
  void aPreviousKeyNeedsItsDeadlineAndAnotherId() {
    Config rotated = with("tickroom.auth.resume-keys.current-secret", GOOD)
        .withValue("tickroom.auth.resume-keys.current-id", ConfigValueFactory.fromAnyRef("k2"))
        .withValue("tickroom.auth.resume-keys.previous-id", ConfigValueFactory.fromAnyRef("k1"))
        .withValue("tickroom.auth.resume-keys.previous-secret", ConfigValueFactory.fromAnyRef(GOOD + "-old"));
    assertThrows(ConfigException.class, () -> Settings.from(rotated));
    Settings.Auth auth = Settings.from(rotated.withValue("tickroom.auth.resume-keys.previous-until",
        ConfigValueFactory.fromAnyRef("2030-01-31T12:00:00Z"))).auth();
    assertEquals(Instant.parse("2030-01-31T12:00:00Z"), auth.previousUntil());
    assertThrows(ConfigException.class, () -> Settings.from(rotated
        .withValue("tickroom.auth.resume-keys.previous-id", ConfigValueFactory.fromAnyRef("k2"))
        .withValue("tickroom.auth.resume-keys.previous-until", ConfigValueFactory.fromAnyRef("2030-01-31T12:00:00Z"))));
  }
}
