package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResumeTokensTest {
  final ResumeTokens tokens = new ResumeTokens("cluster-secret", 60_000);

  @Test
  void aTokenNamesItsPlayerWhileFresh() {
    String t = tokens.issue("pabc", 1_000);
    assertEquals(Optional.of("pabc"), tokens.verify(t, 1_000));
    assertEquals(Optional.of("pabc"), tokens.verify(t, 61_000));
    assertEquals(Optional.empty(), tokens.verify(t, 61_001));
  }

  @Test
  void forgedTamperedOrForeignTokensAreRejected() {
    String t = tokens.issue("pabc", 1_000);
    assertEquals(Optional.empty(), tokens.verify(t.replace("pabc", "pxyz"), 1_000));
    assertEquals(Optional.empty(), tokens.verify(t.replace(".1000.", ".2000."), 2_000));
    assertEquals(Optional.empty(), tokens.verify(t + "x", 1_000));
    assertEquals(Optional.empty(), new ResumeTokens("another-secret", 60_000).verify(t, 1_000));
    for (String junk : new String[] {"", ".", "..", "a.b", "a.b.c", "p.notanumber.sig", "x".repeat(300)}) {
      assertEquals(Optional.empty(), tokens.verify(junk, 1_000), junk);
    }
  }

  @Test
  void playerIdsAreRandomAndUrlSafe() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = ResumeTokens.newPlayerId();
      assertTrue(id.matches("p[A-Za-z0-9]{20}"), id);
      ids.add(id);
    }
    assertEquals(1000, ids.size());
    assertNotEquals(tokens.issue("p1", 5), tokens.issue("p2", 5));
  }
}
