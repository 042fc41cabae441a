package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(5)
class LoopbackGuardTest {
  @Test
  void acceptsLoopbackAddresses() {
    for (String h : new String[] {"127.0.0.1", "127.1.2.3", "127.255.255.254", "localhost", "LOCALHOST", "::1",
        "[::1]", "0:0:0:0:0:0:0:1", " 127.0.0.1 "}) {
      assertTrue(LoopbackGuard.isLoopback(h), h);
    }
  }

  @Test
  void refusesEverythingElse() {
    for (String h : new String[] {"10.0.0.1", "128.0.0.1", "0.0.0.0", "192.168.1.10", "::", "::2", "fe80::1",
        "example.com", "localhost.example.com", "127.0.0.1.nip.io", "", "1270.0.0.1", "8.8.8.8"}) {
      assertFalse(LoopbackGuard.isLoopback(h), h);
    }
  }

  @Test
  void targetRefusesRemoteUnlessAllowed() {
    Options remote = Options.parse("--scenario", "echo-load", "--host", "10.1.2.3", "--port", "9000");
    UsageException e = assertThrows(UsageException.class, () -> LoopbackGuard.target(remote));
    assertTrue(e.getMessage().contains("--allow-remote"), e.getMessage());

    Options allowed = Options.parse("--scenario", "echo-load", "--host", "10.1.2.3", "--allow-remote");
    InetSocketAddress a = LoopbackGuard.target(allowed);
    assertEquals("10.1.2.3", a.getAddress().getHostAddress());
    assertEquals(8000, a.getPort());
  }

  @Test
  void targetResolvesLocalhostToLoopback() {
    InetSocketAddress a = LoopbackGuard.target(Options.parse("--scenario", "echo-load", "--host", "localhost"));
    assertTrue(a.getAddress().isLoopbackAddress());
  }
}
