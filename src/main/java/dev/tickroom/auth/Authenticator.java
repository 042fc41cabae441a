package dev.tickroom.auth;

import java.util.concurrent.CompletionStage;

/**
 * Checks the credential a client sends in {@code hello} ({@code token}): the studio's own login, plugged in
 * by {@code tickroom.auth.authenticator} (README "Security"). Plain Java, no actor types.
 *
 * <p>Called once per hello, possibly from many threads at once; never block the calling thread: do slow work
 * (HTTP, a database) asynchronously and complete the stage later. The node waits at most
 * {@code tickroom.auth.timeout} for the answer. A stage completed exceptionally counts as a refusal.
 *
 * <p>A studio's implementation is a public class with a public no-arg constructor or one taking the node's
 * {@code com.typesafe.config.Config} (to read its own settings), named in application.conf.
 */
public interface Authenticator {
  CompletionStage<AuthResult> authenticate(AuthRequest request);
}
