package dev.tickroom.net;

import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * What is waiting to be written to one client while the socket is busy. A newer {@code state} replaces an
 * unsent older one (conflation); other messages queue up to a limit, past which the client is too slow and
 * {@link SlowClientException} ends its connection. Everything waiting goes out in one write.
 */
public final class Outbox {
  /** The client does not read fast enough to keep up. */
  public static final class SlowClientException extends RuntimeException {
    public SlowClientException(String message) {
      super(message, null, false, false);
    }
  }

  private final int maxMessages;
  private final ArrayList<ServerMessage> items = new ArrayList<>(4);
  private int stateAt = -1;
  private int conflated;

  private Outbox(int maxMessages) {
    this.maxMessages = maxMessages;
  }

  public static Outbox of(ServerMessage first, int maxMessages) {
    return new Outbox(maxMessages).add(first);
  }

  public Outbox add(ServerMessage m) {
    if (m instanceof ServerMessage.State) {
      if (stateAt >= 0) {
        items.remove(stateAt);
        conflated++;
      }
      items.add(m);
      stateAt = items.size() - 1;
      return this;
    }
    items.add(m);
    if (items.size() > maxMessages) {
      throw new SlowClientException("client too slow: more than " + maxMessages + " messages waiting");
    }
    return this;
  }

  public List<ServerMessage> messages() {
    return items;
  }

  /** How many states were replaced by newer ones before they could be sent. */
  public int conflated() {
    return conflated;
  }

  /** All messages as newline-terminated JSON lines in one buffer, for a byte stream transport. */
  public ByteString toLines() {
    if (items.size() == 1) {
      byte[] one = Codec.encode(items.get(0));
      byte[] line = java.util.Arrays.copyOf(one, one.length + 1);
      line[one.length] = '\n';
      return ByteString.fromArrayUnsafe(line);
    }
    ByteStringBuilder b = new ByteStringBuilder();
    for (ServerMessage m : items) {
      b.putBytes(Codec.encode(m));
      b.putByte((byte) '\n');
    }
    return b.result();
  }
}
