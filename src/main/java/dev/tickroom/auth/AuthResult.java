package dev.tickroom.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An {@link Authenticator}'s answer: a verified identity, or a refusal with its reason. */
public sealed interface AuthResult {

  /**
   * The client is who the credential says.
   *
   * @param subject the user's stable id: the player id on every connection (1..128 characters)
   * @param claims what else the credential says, as plain JSON data (String, Number, Boolean, List, Map);
   *     handed to the game with the subject
   */
  record Verified(String subject, Map<String, Object> claims) implements AuthResult {
    public Verified {
      claims = claims == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(claims));
    }
  }

  /** @param reason a sentence for the client, e.g. "token expired"; the hello gets {@code unauthorized} with it */
  record Refused(String reason) implements AuthResult {}

  static AuthResult verified(String subject, Map<String, Object> claims) {
    return new Verified(subject, claims);
  }

  static AuthResult refused(String reason) {
    return new Refused(reason);
  }
}
