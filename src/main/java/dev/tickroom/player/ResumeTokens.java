package dev.tickroom.player;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks resume tokens: {@code <player>.<issued-at-ms>.<HMAC-SHA256>} in URL-safe base64,
 * signed with the cluster secret, so any node of the cluster can verify a token and none can be forged.
 * Player ids themselves are random (120 bits), so they cannot be guessed either.
 */
public final class ResumeTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;
  private final long maxAgeMillis;

  public ResumeTokens(String secret, long maxAgeMillis) {
    if (secret == null || secret.isEmpty()) throw new IllegalArgumentException("the cluster secret must not be empty");
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.maxAgeMillis = maxAgeMillis;
  }

  /** A fresh, unguessable player id. */
  public static String newPlayerId() {
    byte[] b = new byte[15];
    RANDOM.nextBytes(b);
    return "p" + B64.encodeToString(b).replace('-', 'x').replace('_', 'y');
  }

  public String issue(String player, long nowMillis) {
    String body = player + "." + nowMillis;
    return body + "." + sign(body);
  }

  /** The player id of a genuine token that is not older than the maximum age. */
  public Optional<String> verify(String token, long nowMillis) {
    if (token == null || token.length() > 256) return Optional.empty();
    int last = token.lastIndexOf('.');
    int first = token.indexOf('.');
    if (first <= 0 || last <= first) return Optional.empty();
    String body = token.substring(0, last);
    byte[] expected = sign(body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = token.substring(last + 1).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) return Optional.empty();
    long issued;
    try {
      issued = Long.parseLong(token.substring(first + 1, last));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (nowMillis - issued > maxAgeMillis || issued > nowMillis + 60_000) return Optional.empty();
    return Optional.of(token.substring(0, first));
  }

  private String sign(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return B64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
