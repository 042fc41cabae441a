package dev.tickroom.net;

import dev.tickroom.protocol.Cbor;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import dev.tickroom.protocol.Wire;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * The TCP game port's inbound framing: JSON lines ({@link LineSplitter}) until the client's first valid
 * {@code hello}; if that hello asked for {@code cbor}, every byte after its line is a length-prefixed CBOR
 * document (PROTOCOL.md, "Binary format"), even bytes of the same chunk. One instance per connection.
 */
public final class WireFrames {
  private final int max;
  private final Wire wire;
  private final LineSplitter lines;
  private byte[] buf = new byte[0];
  private int len;
  private boolean poisoned;

  public WireFrames(int maxFrame, Wire wire) {
    this.max = maxFrame;
    this.wire = wire;
    this.lines = new LineSplitter(maxFrame);
  }

  public List<Decoded> feed(ByteString chunk) {
    if (wire.cborIn()) return cbor(chunk);
    if (wire.decided()) return lines.feed(chunk);
    // until the first valid hello: line by line, so that the bytes after a cbor hello are read as CBOR
    List<Decoded> out = new ArrayList<>(2);
    int from = 0;
    int n = chunk.size();
    while (from < n) {
      int nl = chunk.indexOf((byte) '\n', from);
      int to = nl < 0 ? n : nl + 1;
      for (Decoded d : lines.feed(chunk.slice(from, to))) {
        out.add(d);
        if (wire.inbound(d) && to < n) {
          out.addAll(cbor(chunk.drop(to)));
          return out;
        }
      }
      from = to;
    }
    return out;
  }

  private List<Decoded> cbor(ByteString chunk) {
    if (poisoned) return List.of();
    if (len + chunk.size() > buf.length) buf = Arrays.copyOf(buf, Math.max(len + chunk.size(), Math.min(buf.length * 2, max + 16)));
    chunk.copyToArray(buf, len, chunk.size());
    len += chunk.size();
    List<Decoded> out = List.of();
    int pos = 0;
    while (pos < len) {
      long[] head = Cbor.frameHead(buf, pos, len - pos);
      if (head == null) break;
      if (head[1] < 0 || head[1] > max) {
        poisoned = true;
        buf = new byte[0];
        len = 0;
        if (out.isEmpty()) out = new ArrayList<>(1);
        out.add(new Decoded.Invalid(ErrorCode.FRAME_TOO_LARGE, null, head[1] < 0
            ? "a frame must start with its length as a CBOR unsigned integer; closing the connection"
            : "a message may be at most " + max + " bytes; closing the connection"));
        return out;
      }
      int size = (int) head[1];
      int start = pos + (int) head[0];
      if (len - start < size) break;
      if (out.isEmpty()) out = new ArrayList<>(2);
      out.add(wire.decodeCbor(buf, start, size));
      pos = start + size;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, len - pos);
      len -= pos;
    }
    return out;
  }
}
