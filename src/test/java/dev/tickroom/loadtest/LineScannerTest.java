package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class LineScannerTest {
  private final LineScanner s = new LineScanner();

  private boolean scan(String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    return s.scan(b, 0, b.length);
  }

  @Test
  void readsStateAsTheServerEncodesIt() {
    assertTrue(scan("{\"type\":\"state\",\"room\":\"bench-0\",\"tick\":123,\"ack\":45,\"state\":{\"players\":{}}}"));
    assertEquals(LineScanner.STATE, s.type);
    assertTrue(s.hasTick && s.hasAck);
    assertEquals(123, s.tick);
    assertEquals(45, s.ack);
  }

  @Test
  void readsAckOfMinusOneWhenNothingWasApplied() {
    assertTrue(scan("{\"type\":\"state\",\"room\":\"r\",\"tick\":0,\"ack\":-1,\"state\":{}}"));
    assertEquals(-1, s.ack);
    assertEquals(0, s.tick);
  }

  @Test
  void skipsNestedStateBeforeTheFieldsAndIgnoresLookalikesInside() {
    String line = "{ \"state\" : {\"players\":{\"ack\":{\"name\":\"x\\\"}],{\",\"tick\":999,\"ack\":998}},"
        + "\"coins\":[{\"x\":1.5,\"y\":2e3},[],\"\\\\\"]}, \"type\" : \"state\" ,\"room\":\"r\","
        + "\"tick\" : 7 , \"ack\": 3 }";
    assertTrue(scan(line));
    assertEquals(LineScanner.STATE, s.type);
    assertEquals(7, s.tick);
    assertEquals(3, s.ack);
  }

  @Test
  void fieldOrderDoesNotMatter() {
    assertTrue(scan("{\"ack\":12,\"tick\":40,\"room\":\"a\",\"type\":\"state\",\"state\":{}}"));
    assertEquals(LineScanner.STATE, s.type);
    assertEquals(12, s.ack);
    assertEquals(40, s.tick);
  }

  @Test
  void stateWithoutAckIsReportedAsSuch() {
    assertTrue(scan("{\"type\":\"state\",\"tick\":5,\"state\":{}}"));
    assertEquals(LineScanner.STATE, s.type);
    assertTrue(s.hasTick);
    assertFalse(s.hasAck);
  }

  @Test
  void readsPongTimestamp() {
    assertTrue(scan("{\"type\":\"pong\",\"t\":1234567890123}"));
    assertEquals(LineScanner.PONG, s.type);
    assertTrue(s.hasT);
    assertEquals(1234567890123L, s.t);

    assertTrue(scan("{\"t\":42,\"type\":\"pong\"}"));
    assertEquals(LineScanner.PONG, s.type);
    assertEquals(42, s.t);
  }

  @Test
  void pongWithNonIntegerTimestampHasNoT() {
    assertTrue(scan("{\"type\":\"pong\",\"t\":1.5}"));
    assertEquals(LineScanner.PONG, s.type);
    assertFalse(s.hasT);
    assertTrue(scan("{\"type\":\"pong\",\"t\":{\"a\":[1,2]}}"));
    assertFalse(s.hasT);
    assertTrue(scan("{\"type\":\"pong\",\"t\":123456789012345678901234567890}"));
    assertFalse(s.hasT);
  }

  @Test
  void readsErrorCode() {
    byte[] b = "{\"type\":\"error\",\"code\":\"room_full\",\"message\":\"full\"}".getBytes(StandardCharsets.UTF_8);
    assertTrue(s.scan(b, 0, b.length));
    assertEquals(LineScanner.ERROR, s.type);
    assertEquals("room_full", new String(b, s.codeFrom, s.codeTo - s.codeFrom, StandardCharsets.UTF_8));
  }

  @Test
  void recognisesHandshakeAndOtherTypes() {
    assertTrue(scan("{\"type\":\"welcome\",\"player\":\"p1\",\"node\":\"n\",\"resume\":\"r\"}"));
    assertEquals(LineScanner.WELCOME, s.type);
    assertTrue(scan("{\"type\":\"joined\",\"room\":\"r\",\"game\":\"arena\",\"player\":\"p\",\"tick\":3,\"state\":{}}"));
    assertEquals(LineScanner.JOINED, s.type);
    assertTrue(scan("{\"type\":\"chat\",\"room\":\"r\",\"from\":\"p\",\"text\":\"hi\"}"));
    assertEquals(LineScanner.OTHER, s.type);
  }

  @Test
  void scansASliceOfABuffer() {
    byte[] b = "xx{\"type\":\"pong\",\"t\":9}\n{\"type\":\"state\"".getBytes(StandardCharsets.UTF_8);
    assertTrue(s.scan(b, 2, 23));
    assertEquals(LineScanner.PONG, s.type);
    assertEquals(9, s.t);
  }

  @Test
  void rejectsLinesItCannotRead() {
    assertFalse(scan(""));
    assertFalse(scan("not json"));
    assertFalse(scan("[1,2]"));
    assertFalse(scan("{}"));
    assertFalse(scan("{\"room\":\"r\"}"));
    assertFalse(scan("{\"type\":\"state\",\"state\":{\"unterminated\":"));
    assertFalse(scan("{\"type\":\"sta"));
    assertFalse(scan("{type:\"state\"}"));
  }
}
