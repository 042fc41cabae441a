package dev.tickroom.protocol;

/** The protocol's own error codes; games add codes of their own. */
public final class ErrorCode {
  public static final String BAD_JSON = "bad_json";
  public static final String UNKNOWN_TYPE = "unknown_type";
  public static final String BAD_REQUEST = "bad_request";
  public static final String NOT_AUTHENTICATED = "not_authenticated";
  public static final String NOT_IN_ROOM = "not_in_room";
  public static final String ROOM_FULL = "room_full";
  public static final String FRAME_TOO_LARGE = "frame_too_large";
  public static final String RATE_LIMITED = "rate_limited";
  public static final String ROOM_CLOSED = "room_closed";
  public static final String ROOM_UNAVAILABLE = "room_unavailable";
  public static final String SESSION_REPLACED = "session_replaced";
  /** The node or the client's address has as many connections as it may; the connection closes. */
  public static final String SERVER_BUSY = "server_busy";
  /** No message within the idle limit; the connection closes. */
  public static final String IDLE_TIMEOUT = "idle_timeout";
  /** A hello refused: no valid credential, or its address failed too often; the connection closes. */
  public static final String UNAUTHORIZED = "unauthorized";

  private ErrorCode() {}
}
