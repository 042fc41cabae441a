package dev.tickroom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tickroom.protocol.ClientMessage;
import dev.tickroom.protocol.Decoded;
import dev.tickroom.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

  @Test
  void splitsLinesAcrossChunksAndAcceptsCrLf() {
    LineSplitter s = new LineSplitter(100);
    List<Decoded> out = new ArrayList<>();
    out.addAll(s.feed(ByteString.fromString("{\"type\":\"pi")));
    assertTrue(out.isEmpty());
    out.addAll(s.feed(ByteString.fromString("ng\",\"t\":1}\r\n{\"type\":\"leave\"}\n{\"type\"")));
    assertEquals(List.of(new ClientMessage.Ping("1"), ClientMessage.Leave.INSTANCE), out);
    assertEquals(List.of(ClientMessage.Leave.INSTANCE), s.feed(ByteString.fromString(":\"leave\"}\n")));
  }

  @Test
  void anEmptyLineIsBadJson() {
    LineSplitter s = new LineSplitter(100);
    Decoded d = s.feed(ByteString.fromString("\n")).get(0);
    assertEquals(ErrorCode.BAD_JSON, assertInstanceOf(Decoded.Invalid.class, d).code());
  }

  @Test
  void aLineAtTheLimitPassesOneByteMoreIsTooLarge() {
    int max = 64;
    String pad = "{\"type\":\"ping\",\"t\":\"";
    String atLimit = pad + "x".repeat(max - pad.length() - 2) + "\"}";
    assertEquals(max, atLimit.length());
    LineSplitter ok = new LineSplitter(max);
    assertInstanceOf(ClientMessage.Ping.class, ok.feed(ByteString.fromString(atLimit + "\r\n")).get(0));

    LineSplitter tooLong = new LineSplitter(max);
    List<Decoded> out = tooLong.feed(ByteString.fromString(atLimit + "xx\n{\"type\":\"leave\"}\n"));
    assertEquals(1, out.size());
    assertEquals(ErrorCode.FRAME_TOO_LARGE, assertInstanceOf(Decoded.Invalid.class, out.get(0)).code());
    // everything after is ignored: the connection is being closed
    assertTrue(tooLong.feed(ByteString.fromString("{\"type\":\"leave\"}\n")).isEmpty());
  }

  @Test
  void oneByteOverTheLimitIsTooLargeEvenWhenTheNewlineFollowsAtOnce() {
    int max = 64;
    String pad = "{\"type\":\"ping\",\"t\":\"";
    String overByOne = pad + "x".repeat(max - pad.length() - 1) + "\"}";
    assertEquals(max + 1, overByOne.length());
    List<Decoded> out = new LineSplitter(max).feed(ByteString.fromString(overByOne + "\n"));
    assertEquals(1, out.size());
    assertEquals(ErrorCode.FRAME_TOO_LARGE, assertInstanceOf(Decoded.Invalid.class, out.get(0)).code());

    // the one extra byte kept for "\r\n" must be a '\r' followed by the newline
    String atLimit = pad + "x".repeat(max - pad.length() - 2) + "\"}";
    List<Decoded> strayCr = new LineSplitter(max).feed(ByteString.fromString(atLimit + "\r \n"));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, assertInstanceOf(Decoded.Invalid.class, strayCr.get(0)).code());
  }

  @Test
  void aHugeLineWithoutNewlineIsRejectedWithoutBufferingIt() {
    LineSplitter s = new LineSplitter(65536);
    List<Decoded> out = new ArrayList<>();
    ByteString chunk = ByteString.fromArray(new byte[8192]);
    for (int i = 0; i < 20 && out.isEmpty(); i++) out.addAll(s.feed(chunk));
    assertEquals(ErrorCode.FRAME_TOO_LARGE, assertInstanceOf(Decoded.Invalid.class, out.get(0)).code());
  }
}
