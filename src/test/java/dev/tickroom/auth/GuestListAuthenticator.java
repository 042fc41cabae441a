package dev.tickroom.auth;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A studio's own authenticator, as a test loads it by class name: tokens {@code "<guest>:<team>"} for the
 * guests listed in {@code test.guest-list}; answers from another thread, as a real lookup would.
 */
public final class GuestListAuthenticator implements Authenticator {
  private final java.util.List<String> guests;

  public GuestListAuthenticator(Config config) {
    this.guests = config.getStringList("test.guest-list");
  }

  @Override
  public CompletionStage<AuthResult> authenticate(AuthRequest request) {
    return CompletableFuture.supplyAsync(() -> {
      String[] parts = request.token().split(":", 2);
      if (parts.length != 2 || !guests.contains(parts[0])) return AuthResult.refused("not on the guest list");
      return AuthResult.verified("guest-" + parts[0], Map.of("team", parts[1], "from", request.clientAddress()));
    });
  }
}
