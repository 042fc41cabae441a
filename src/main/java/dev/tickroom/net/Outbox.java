package dev.tickroom.net;

import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * What is waiting to be written to one client while the socket is busy. A newer {@code state} replaces an
 * unsent older one (conflation); other messages queue in order. Everything waiting goes out in one write.
 * The bound on waiting messages is kept by the connection (see {@code SessionFlow}), which counts them
 * in and, through {@link #others()}, out.
 */
public final class Outbox {
  private final ArrayList<ServerMessage> items = new ArrayList<>(4);
  private int stateAt = -1;
  private int conflated;

  private Outbox() {}

  public static Outbox of(ServerMessage first) {
    return new Outbox().add(first);
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
    return this;
  }

  public List<ServerMessage> messages() {
    return items;
  }

  /** How many messages other than the state are in this batch. */
  public int others() {
    return items.size() - (stateAt >= 0 ? 1 : 0);
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
