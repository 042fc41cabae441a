package dev.tickroom.player;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Issues and checks the MAC of resume tokens: {@code t2.<key id>.<player>.<nonce>.<HMAC-SHA256>}, the player
 * in URL-safe base64, signed with the current key of the key ring. Any key of the ring verifies (a rotation
 * keeps the previous key until its {@code acceptUntil}); the key id says which. A genuine MAC is not enough
 * to resume: {@link Handshake} also wants the nonce to be the one the player directory holds for that player
 * (each welcome draws a new one, so a token works once) and the player's connection to have ended less than
 * the resume grace ago. Player ids themselves are random (120 bits), so they cannot be guessed either.
 */
public final class ResumeTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String VERSION = "t2";
  public static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  /** Long enough for any player id (a JWT subject is at most {@link Handshake#MAX_SUBJECT} characters). */
  static final int MAX_TOKEN = 512;

  /** One key: its id, its secret, and until when (epoch ms) it verifies tokens. */
  public record Key(String id, byte[] secret, long acceptUntilMillis) {
    public Key {
      if (id == null || !KEY_ID.matcher(id).matches()) throw new IllegalArgumentException("a key id is 1 to 32 of A-Z a-z 0-9 _ -");
      if (secret == null || secret.length < 32) throw new IllegalArgumentException("a key's secret must have at least 32 bytes");
    }

    public static Key current(String id, byte[] secret) {
      return new Key(id, secret, Long.MAX_VALUE);
    }
  }

  /** What a genuine token says. */
  public record Claim(String player, String nonce, String keyId) {}

  private final Key signing;
  private final Map<String, Key> keys = new LinkedHashMap<>();

  /** @param accepted every key that verifies, the signing one included or not */
  public ResumeTokens(Key signing, List<Key> accepted) {
    this.signing = signing;
    for (Key k : accepted) keys.put(k.id(), k);
    keys.put(signing.id(), signing);
  }

  public ResumeTokens(Key signing) {
    this(signing, List.of());
  }

  /** A fresh, unguessable player id. */
  public static String newPlayerId() {
    byte[] b = new byte[15];
    RANDOM.nextBytes(b);
    return "p" + B64.encodeToString(b).replace('-', 'x').replace('_', 'y');
  }

  /** A fresh nonce: each welcome draws one, so a token is good for one resume. */
  public static String newNonce() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return B64.encodeToString(b);
  }

  /** 32 random bytes: a secret for a cluster that was given none. */
  public static byte[] newSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return b;
  }

  public String signingKeyId() {
    return signing.id();
  }

  public String issue(String player, String nonce) {
    String body = VERSION + "." + signing.id() + "." + B64.encodeToString(player.getBytes(StandardCharsets.UTF_8)) + "." + nonce;
    return body + "." + sign(signing, body);
  }

  /** What a token says, if a key of the ring that is still accepted at {@code nowMillis} signed it. */
  public Optional<Claim> verify(String token, long nowMillis) {
    if (token == null || token.length() > MAX_TOKEN) return Optional.empty();
    String[] parts = token.split("\\.", -1);
    if (parts.length != 5 || !VERSION.equals(parts[0])) return Optional.empty();
    Key key = keys.get(parts[1]);
    if (key == null || nowMillis > key.acceptUntilMillis()) return Optional.empty();
    String body = token.substring(0, token.lastIndexOf('.'));
    byte[] expected = sign(key, body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = parts[4].getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) return Optional.empty();
    try {
      String player = new String(B64D.decode(parts[2]), StandardCharsets.UTF_8);
      if (player.isEmpty() || parts[3].isEmpty()) return Optional.empty();
      return Optional.of(new Claim(player, parts[3], key.id()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String sign(Key key, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.secret(), "HmacSHA256"));
      return B64.encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
