package dev.tickroom.game;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who a player is, as the node's authenticator verified it: the stable {@code subject} (a JWT's {@code sub},
 * also the player id) and the token's claims as plain JSON data (String, Number, Boolean, List, Map). A node
 * without an authenticator admits anonymous players: subject null, no claims. A game may refuse or tag a
 * player by a claim in {@link Game#admit(Object, PlayerId, Identity)} or {@link Game#join(Object, PlayerId, String, Identity)}.
 */
public record Identity(String subject, Map<String, Object> claims) {
  private static final Identity ANONYMOUS = new Identity(null, Map.of());

  public Identity {
    claims = claims == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(claims));
  }

  public static Identity anonymous() {
    return ANONYMOUS;
  }

  /** True when an authenticator vouched for this player. */
  public boolean verified() {
    return subject != null;
  }

  /** A claim, or null when the token had none of that name. */
  public Object claim(String name) {
    return claims.get(name);
  }
}
