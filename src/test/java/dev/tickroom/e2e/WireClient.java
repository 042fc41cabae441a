package dev.tickroom.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.protocol.Codec;
import java.time.Duration;
import java.util.function.Predicate;

/** A protocol v1 client for tests, over whichever transport: one JSON object per message. */
public interface WireClient extends AutoCloseable {
  /** Sends one message as it is (no validation: tests send bad input on purpose). */
  void send(String json);

  /** Sends messages back to back, without waiting for anything in between (over TCP: in one write). */
  default void sendAll(String... json) {
    for (String j : json) send(j);
  }

  /** The next message, or null when the server closed the connection; fails after the timeout. */
  String nextRaw(Duration timeout);

  /** Closes abruptly (a reset for TCP). */
  void abort();

  @Override
  void close();

  default JsonNode next() {
    return next(Duration.ofSeconds(5));
  }

  default JsonNode next(Duration timeout) {
    String raw = nextRaw(timeout);
    if (raw == null) throw new AssertionError("connection closed by the server");
    try {
      return Codec.MAPPER.readTree(raw);
    } catch (Exception e) {
      throw new AssertionError("server sent invalid JSON: " + raw, e);
    }
  }

  /** The next message that matches, skipping others (e.g. the stream of states); bounded by count. */
  default JsonNode await(Predicate<JsonNode> match) {
    return await(match, Duration.ofSeconds(5));
  }

  /** Like {@link #await(Predicate)}, allowing a longer silence between messages (e.g. during a failover). */
  default JsonNode await(Predicate<JsonNode> match, Duration silence) {
    for (int i = 0; i < 400; i++) {
      JsonNode m = next(silence);
      if (match.test(m)) return m;
    }
    throw new AssertionError("no matching message among 400");
  }

  default JsonNode awaitType(String type) {
    return await(m -> type.equals(m.path("type").asText()));
  }

  /** The next message that is not a state: errors, pongs, chats must come in order among themselves. */
  default JsonNode nextNonState() {
    return await(m -> !"state".equals(m.path("type").asText()));
  }

  default String error() {
    JsonNode m = nextNonState();
    if (!"error".equals(m.path("type").asText())) throw new AssertionError("expected an error, got " + m);
    if (m.path("message").asText().isEmpty()) throw new AssertionError("an error needs a message: " + m);
    return m.get("code").asText();
  }

  default JsonNode hello(String name) {
    send("{\"type\":\"hello\",\"name\":\"" + name + "\"}");
    return awaitType("welcome");
  }

  default JsonNode join(String room, String game) {
    send("{\"type\":\"join\",\"room\":\"" + room + "\"" + (game == null ? "" : ",\"game\":\"" + game + "\"") + "}");
    return nextNonState();
  }

  /** True when the server closes the connection within the timeout (messages before that are skipped). */
  default boolean closedWithin(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String m;
      try {
        m = nextRaw(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      } catch (AssertionError timeoutOrReset) {
        return timeoutOrReset.getMessage() != null && timeoutOrReset.getMessage().contains("reset");
      }
      if (m == null) return true;
    }
    return false;
  }
}
