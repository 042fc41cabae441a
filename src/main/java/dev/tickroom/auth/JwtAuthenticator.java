package dev.tickroom.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import dev.tickroom.config.Settings;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code authenticator = "jwt"}: the hello's token is a JWS-signed JWT (nimbus-jose-jwt does all the
 * cryptography). Signed with HS256 and a shared secret, or with RS256/ES256 by keys from the identity
 * service's JWKS URL, cached for {@code jwks-cache-ttl} and refreshed for an unknown key id at most once per
 * {@code jwks-min-refresh-interval}. {@code iss} must equal the configured issuer, {@code aud} contain the
 * configured audience, {@code sub} and {@code exp} be present; {@code exp} and {@code nbf} are checked with
 * {@code clock-skew} tolerance. The identity is {@code sub}, the claims are the token's JSON payload.
 */
public final class JwtAuthenticator implements Authenticator {
  /** Longest accepted {@code sub}: it becomes the player id, which travels in every state. */
  public static final int MAX_SUBJECT = 128;

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  /** Where verification runs when it may fetch keys over HTTP; null: on the caller's thread (HS256, no I/O). */
  private final Executor blocking;

  public JwtAuthenticator(Settings.Jwt s) {
    boolean hs = !s.hs256Secret().isEmpty();
    boolean jwks = !s.jwksUrl().isEmpty();
    if (hs == jwks) throw new IllegalArgumentException("tickroom.auth.jwt needs exactly one of hs256-secret and jwks-url");
    if (s.issuer().isEmpty() || s.audience().isEmpty()) {
      throw new IllegalArgumentException("tickroom.auth.jwt needs issuer and audience (JWT_ISSUER, JWT_AUDIENCE)");
    }
    if (hs) {
      byte[] secret = s.hs256Secret().getBytes(StandardCharsets.UTF_8);
      if (secret.length < Settings.MIN_SECRET) {
        throw new IllegalArgumentException("tickroom.auth.jwt.hs256-secret must have at least " + Settings.MIN_SECRET + " bytes");
      }
      processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret)));
      blocking = null;
    } else {
      Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
      for (String a : s.algorithms()) {
        JWSAlgorithm alg = JWSAlgorithm.parse(a);
        if (!JWSAlgorithm.Family.RSA.contains(alg) && !JWSAlgorithm.Family.EC.contains(alg)) {
          throw new IllegalArgumentException("tickroom.auth.jwt.algorithms: " + a + " is not an RSA or EC signature algorithm");
        }
        algorithms.add(alg);
      }
      if (algorithms.isEmpty()) throw new IllegalArgumentException("tickroom.auth.jwt.algorithms is empty");
      int httpTimeout = (int) s.jwksHttpTimeout().toMillis();
      JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(url(s.jwksUrl()),
              new DefaultResourceRetriever(httpTimeout, httpTimeout, 512 * 1024))
          .cache(s.jwksCacheTtl().toMillis(), httpTimeout * 2L)
          .rateLimited(s.jwksMinRefreshInterval().toMillis())
          .refreshAheadCache(false)
          .retrying(false)
          .build();
      processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
      // key fetches are blocking HTTP: a few threads of their own, a bounded queue, never the caller's thread
      ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), r -> {
        Thread t = new Thread(r, "tickroom-jwt");
        t.setDaemon(true);
        return t;
      });
      pool.allowCoreThreadTimeOut(true);
      blocking = pool;
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
        Set.of(s.audience()), new JWTClaimsSet.Builder().issuer(s.issuer()).build(), Set.of("sub", "exp"), null);
    claims.setMaxClockSkew((int) s.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  private static URL url(String s) {
    try {
      return URI.create(s).toURL();
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw new IllegalArgumentException("tickroom.auth.jwt.jwks-url is not a URL: " + s);
    }
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request) {
    if (blocking == null) return CompletableFuture.completedFuture(verify(request.token()));
    try {
      return CompletableFuture.supplyAsync(() -> verify(request.token()), blocking);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(AuthResult.refused("too many logins are being checked; try again"));
    }
  }

  /** The token's identity, or why it is refused in words a client developer can act on. */
  AuthResult verify(String token) {
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      return AuthResult.refused("malformed token: not a signed JWT");
    } catch (BadJOSEException e) {
      return AuthResult.refused(reason(e));
    } catch (RateLimitReachedException e) {
      // a key id the cached keys lack, and the keys were refreshed a moment ago: no published key has it
      return AuthResult.refused("bad signature: no key of the identity service has the token's key id");
    } catch (KeySourceException e) {
      return AuthResult.refused("cannot get the identity service's keys to check the token; try again");
    } catch (JOSEException e) {
      return AuthResult.refused("token rejected: " + e.getMessage());
    }
    String sub = claims.getSubject();
    if (sub == null || sub.isEmpty() || sub.length() > MAX_SUBJECT || sub.chars().anyMatch(Character::isISOControl)) {
      return AuthResult.refused("token subject (sub) must be 1 to " + MAX_SUBJECT + " printable characters");
    }
    return AuthResult.verified(sub, claims.toJSONObject());
  }

  /** nimbus says what failed in its exception types and messages; this turns them into the protocol's reasons. */
  private static String reason(BadJOSEException e) {
    String m = String.valueOf(e.getMessage());
    if (e instanceof ExpiredJWTException) return "token expired";
    if (e instanceof BadJWSException) return "bad signature";
    if (e instanceof BadJWTException) {
      if (m.startsWith("JWT before use time")) return "token not valid yet (nbf)";
      if (m.contains("aud claim")) return "wrong audience";
      if (m.startsWith("JWT iss claim")) return "wrong issuer";
      if (m.startsWith("JWT missing required claims")) {
        return m.contains("iss") ? "wrong issuer: the token has no iss claim" : "token lacks required claims " + m.substring(m.indexOf('['));
      }
      return "token rejected: " + m;
    }
    if (m.contains("no matching key")) return "bad signature: no key of the identity service matches the token's alg and kid";
    return "token rejected: " + m;
  }
}
