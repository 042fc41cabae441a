package dev.tickroom.player;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tickroom.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/** The address the failed-hello limit counts by, read from the transports' descriptions. */
class ConnectionAddressTest {
  static Connection described(String d) {
    return new Connection() {
      @Override
      public boolean send(ServerMessage message) {
        return true;
      }

      @Override
      public void close() {}

      @Override
      public void abort(String reason) {}

      @Override
      public String describe() {
        return d;
      }
    };
  }

  @Test
  void theClientAddressWithoutPortOrProxy() {
    assertEquals("127.0.0.1", described("tcp 127.0.0.1:53422").address());
    assertEquals("10.1.2.3", described("tls 10.1.2.3:443").address());
    assertEquals("::1", described("tcp ::1:53422").address());
    assertEquals("203.0.113.9", described("ws 203.0.113.9 via 10.0.0.2").address());
    assertEquals("2001:db8::7", described("ws 2001:db8::7 via 10.0.0.2").address());
    assertEquals("test", described("test").address());
  }
}
