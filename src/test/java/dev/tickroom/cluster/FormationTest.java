package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormationTest {
  @Test
  void seedNodesComeFromTheEnvironment() {
    var c = Formation.environmentOverrides(Map.of("SEED_NODES", "10.0.0.1:25520, node-b:25521"));
    assertEquals(List.of("pekko://tickroom@10.0.0.1:25520", "pekko://tickroom@node-b:25521"),
        c.getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void noSeedNodesMeansNoOverride() {
    assertTrue(Formation.environmentOverrides(Map.of()).isEmpty());
    assertTrue(Formation.environmentOverrides(Map.of("SEED_NODES", " ")).isEmpty());
  }

  @Test
  void aMalformedSeedIsRefusedWithAClearMessage() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> Formation.environmentOverrides(Map.of("SEED_NODES", "localhost")));
    assertTrue(e.getMessage().contains("host:port"), e.getMessage());
  }
}
