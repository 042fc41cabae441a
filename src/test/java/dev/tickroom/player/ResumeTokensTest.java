package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResumeTokensTest {
  final ResumeTokens.Key k1 = ResumeTokens.Key.current("k1", ResumeTokens.newSecret());
  final ResumeTokens tokens = new ResumeTokens(k1);

  @Test
  void aTokenNamesItsPlayerNonceAndKey() {
    String t = tokens.issue("pabc", "n1");
    assertEquals(Optional.of(new ResumeTokens.Claim("pabc", "n1", "k1")), tokens.verify(t, 1_000));
    // any subject survives the round trip, dots and all (JWT subjects become player ids)
    String odd = "auth0|user.name@example.com";
    assertEquals(odd, tokens.verify(tokens.issue(odd, "n2"), 0).orElseThrow().player());
  }

  @Test
  void forgedTamperedOrForeignTokensAreRejected() {
    String t = tokens.issue("pabc", "n1");
    String[] parts = t.split("\\.");
    assertEquals(Optional.empty(), tokens.verify(t.replace(parts[2], b64("pxyz")), 1_000));
    assertEquals(Optional.empty(), tokens.verify(t.replace(".n1.", ".n2."), 1_000));
    assertEquals(Optional.empty(), tokens.verify(t + "x", 1_000));
    assertEquals(Optional.empty(), new ResumeTokens(ResumeTokens.Key.current("k1", ResumeTokens.newSecret())).verify(t, 1_000));
    // the v1 format (player.issuedAt.mac) is not accepted whatever signed it
    assertEquals(Optional.empty(), tokens.verify("pabc.1000." + parts[4], 1_000));
    for (String junk : new String[] {"", ".", "....", "t2.k1...", "t2.k9.cA.n1.x", "x".repeat(600)}) {
      assertEquals(Optional.empty(), tokens.verify(junk, 1_000), junk);
    }
  }

  @Test
  void aRotatedOutKeyVerifiesUntilItsDeadlineAndNeverSigns() {
    ResumeTokens old = new ResumeTokens(k1);
    String oldToken = old.issue("pabc", "n1");
    ResumeTokens.Key k1Until = new ResumeTokens.Key("k1", k1.secret(), 5_000);
    ResumeTokens rotated = new ResumeTokens(ResumeTokens.Key.current("k2", ResumeTokens.newSecret()), List.of(k1Until));
    assertEquals("pabc", rotated.verify(oldToken, 5_000).orElseThrow().player());
    assertEquals(Optional.empty(), rotated.verify(oldToken, 5_001));
    String fresh = rotated.issue("pabc", "n2");
    assertEquals("k2", fresh.split("\\.")[1]);
    assertEquals("k2", rotated.verify(fresh, Long.MAX_VALUE - 1).orElseThrow().keyId());
    // a token that names the new key id but was signed with the old secret is refused
    String relabelled = old.issue("pabc", "n1").replace(".k1.", ".k2.");
    assertEquals(Optional.empty(), rotated.verify(relabelled, 1_000));
  }

  @Test
  void keysNeedAnIdAndAtLeast32BytesOfSecret() {
    assertThrows(IllegalArgumentException.class, () -> ResumeTokens.Key.current("k1", "change-me-in-production".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> ResumeTokens.Key.current("a.b", ResumeTokens.newSecret()));
  }

  @Test
  void playerIdsAndNoncesAreRandomAndUrlSafe() {
    Set<String> ids = new HashSet<>();
    Set<String> nonces = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = ResumeTokens.newPlayerId();
      assertTrue(id.matches("p[A-Za-z0-9]{20}"), id);
      ids.add(id);
      nonces.add(ResumeTokens.newNonce());
    }
    assertEquals(1000, ids.size());
    assertEquals(1000, nonces.size());
    assertNotEquals(tokens.issue("p1", "n"), tokens.issue("p2", "n"));
  }

  private static String b64(String s) {
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
