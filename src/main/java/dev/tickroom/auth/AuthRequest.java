package dev.tickroom.auth;

/**
 * What a {@code hello} brings to an {@link Authenticator}.
 *
 * @param token the credential ({@code hello.token}), at most 8 KiB; never null (a hello without one is refused first)
 * @param clientAddress the client's IP address, for the authenticator's own logs or limits
 * @param name the display name the client asked for ({@code hello.name}); not an identity
 */
public record AuthRequest(String token, String clientAddress, String name) {
  @Override
  public String toString() {
    return "AuthRequest[" + clientAddress + ", " + name + "]"; // the token stays out of logs
  }
}
