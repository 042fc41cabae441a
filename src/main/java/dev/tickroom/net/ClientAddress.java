package dev.tickroom.net;

import dev.tickroom.config.EdgeSettings;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who a client is, for caps and logs: the socket's peer, unless that peer is a configured trusted proxy;
 * then the nearest address in {@code X-Forwarded-For} that is not itself a trusted proxy (the header is
 * read right to left, as each proxy appends the address it saw). A header from anyone else is ignored.
 */
public final class ClientAddress {
  private ClientAddress() {}

  /**
   * @param peer the socket's peer address
   * @param forwardedFor the values of every {@code X-Forwarded-For} header, in order
   */
  public static InetAddress resolve(InetAddress peer, List<String> forwardedFor, Set<InetAddress> trustedProxies) {
    if (!trustedProxies.contains(peer)) return peer;
    InetAddress client = peer;
    for (int h = forwardedFor.size() - 1; h >= 0; h--) {
      String[] hops = forwardedFor.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        Optional<InetAddress> a = EdgeSettings.ipLiteral(stripPort(hops[i].trim()));
        if (a.isEmpty()) return client; // garbage from further out: stop at what the trusted chain vouches for
        client = a.get();
        if (!trustedProxies.contains(client)) return client;
      }
    }
    return client;
  }

  /** "1.2.3.4:5678" -> "1.2.3.4"; IPv6 literals keep their colons ("[::1]:80" -> "::1"). */
  private static String stripPort(String hop) {
    if (hop.startsWith("[")) {
      int end = hop.indexOf(']');
      return end > 0 ? hop.substring(1, end) : hop;
    }
    int colon = hop.indexOf(':');
    if (colon > 0 && colon == hop.lastIndexOf(':')) return hop.substring(0, colon);
    return hop;
  }
}
