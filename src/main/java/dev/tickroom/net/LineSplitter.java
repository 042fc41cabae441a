package dev.tickroom.net;

import dev.tickroom.protocol.Codec;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Splits a TCP byte stream into lines ({@code \n}, with an optional {@code \r} before it) and decodes each.
 * A line may hold exactly {@code maxLine} bytes before its {@code \n} (or {@code \r\n}); a longer one yields
 * one {@code frame_too_large} and everything after it is discarded unread, so memory stays bounded by the limit and the socket is not torn down before the error is sent.
 * One instance per connection; not thread-safe.
 */
public final class LineSplitter {
  private final int maxLine;
  private byte[] buf;
  private int len;
  private boolean poisoned;

  public LineSplitter(int maxLine) {
    this.maxLine = maxLine;
    // grows with the longest line so far (a game's lines are short): 1 KB up front was 10 MB for 10,000 clients
    this.buf = new byte[0];
  }

  /** The messages completed by this chunk, in order. */
  public List<Decoded> feed(ByteString chunk) {
    if (poisoned) return List.of();
    List<Decoded> out = List.of();
    int n = chunk.size();
    for (int i = 0; i < n; i++) {
      byte b = chunk.apply(i);
      if (b == '\n') {
        int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
        if (out.isEmpty()) out = new ArrayList<>(2);
        out.add(Codec.decode(buf, 0, end));
        len = 0;
      } else {
        // a line holds at most maxLine bytes; one more is allowed only if it is the '\r' of a "\r\n"
        boolean tooLong = len > maxLine || (len == maxLine && b != '\r');
        if (tooLong) {
          poisoned = true;
          len = 0;
          buf = new byte[0];
          if (out.isEmpty()) out = new ArrayList<>(1);
          out.add(new Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null,
              "a line may be at most " + maxLine + " bytes; closing the connection"));
          return out;
        }
        if (len == buf.length) buf = java.util.Arrays.copyOf(buf, Math.min(maxLine + 2, Math.max(64, buf.length * 2)));
        buf[len++] = b;
      }
    }
    return out;
  }
}
