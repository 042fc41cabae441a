package dev.tickroom.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tickroom.config.EdgeSettings;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
  static InetAddress ip(String s) {
    return EdgeSettings.ipLiteral(s).orElseThrow();
  }

  final InetAddress proxy = ip("10.0.0.5");
  final InetAddress proxy2 = ip("10.0.0.6");
  final Set<InetAddress> trusted = Set.of(proxy, proxy2);

  @Test
  void fromAnUntrustedPeerTheHeaderIsIgnored() {
    InetAddress peer = ip("198.51.100.7");
    assertEquals(peer, ClientAddress.resolve(peer, List.of("203.0.113.1"), trusted));
    assertEquals(peer, ClientAddress.resolve(peer, List.of("203.0.113.1"), Set.of()));
  }

  @Test
  void fromATrustedProxyTheNearestUntrustedHopCounts() {
    assertEquals(ip("203.0.113.1"), ClientAddress.resolve(proxy, List.of("203.0.113.1"), trusted));
    // the client can write anything further left; the hop our proxy appended is what counts
    assertEquals(ip("203.0.113.2"), ClientAddress.resolve(proxy, List.of("1.2.3.4, 203.0.113.2"), trusted));
    // a chain of trusted proxies is walked through, also across several headers
    assertEquals(ip("203.0.113.3"), ClientAddress.resolve(proxy, List.of("203.0.113.3", "10.0.0.6"), trusted));
    assertEquals(ip("203.0.113.4"), ClientAddress.resolve(proxy, List.of("203.0.113.4:5555"), trusted));
    assertEquals(ip("2001:db8::1"), ClientAddress.resolve(proxy, List.of("[2001:db8::1]:443"), trusted));
  }

  @Test
  void garbageOrNoHeaderFromATrustedProxyStopsAtWhatIsVouchedFor() {
    assertEquals(proxy, ClientAddress.resolve(proxy, List.of(), trusted));
    assertEquals(proxy, ClientAddress.resolve(proxy, List.of("not-an-ip"), trusted));
    assertEquals(proxy2, ClientAddress.resolve(proxy, List.of("evil.example, 10.0.0.6"), trusted));
  }

  @Test
  void ipLiteralsOnlyNeverANameLookup() {
    assertTrue(EdgeSettings.ipLiteral("127.0.0.1").isPresent());
    assertTrue(EdgeSettings.ipLiteral("::1").isPresent());
    assertEquals(Optional.empty(), EdgeSettings.ipLiteral("localhost"));
    assertEquals(Optional.empty(), EdgeSettings.ipLiteral("example.com"));
    assertEquals(Optional.empty(), EdgeSettings.ipLiteral("999.1.1.1"));
    assertEquals(Optional.empty(), EdgeSettings.ipLiteral(""));
  }

  @Test
  void limiterCountsPerAddressAndInTotalAndGivesPlacesBack() {
    ConnectionLimiter l = new ConnectionLimiter(3, 2);
    assertTrue(l.tryAcquire("a").isEmpty());
    assertTrue(l.tryAcquire("a").isEmpty());
    assertTrue(l.tryAcquire("a").get().contains("your address"));
    assertTrue(l.tryAcquire("b").isEmpty());
    assertTrue(l.tryAcquire("c").get().contains("this node"));
    assertEquals(3, l.open());
    l.release("a");
    assertEquals(1, l.open("a"));
    assertTrue(l.tryAcquire("c").isEmpty());
    assertThrows(IllegalArgumentException.class, () -> new ConnectionLimiter(0, 1));
  }
}
