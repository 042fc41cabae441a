package dev.tickroom.loadtest;

/** A bad command line or a refused target; the CLI prints the message and exits with status 2. */
public final class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
