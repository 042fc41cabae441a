package dev.tickroom.protocol;

/** What one inbound line decodes to: a {@link ClientMessage}, or an {@link Invalid} one with its error. */
public sealed interface Decoded permits ClientMessage, Decoded.Invalid {

  /**
   * A line that is not a valid client message.
   *
   * @param code {@link ErrorCode#BAD_JSON}, {@link ErrorCode#UNKNOWN_TYPE} or {@link ErrorCode#BAD_REQUEST}
   * @param type the message's {@code type} when it had a string one, else null
   * @param message a sentence for a person
   */
  record Invalid(String code, String type, String message) implements Decoded {}
}
