package dev.tickroom.loadtest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * Keeps the load generator pointed at this machine: only 127.0.0.0/8, ::1 and {@code localhost} are accepted
 * unless the user passes {@code --allow-remote}. Literal addresses are checked without any name lookup; other
 * host names are refused outright (they could resolve anywhere).
 */
final class LoopbackGuard {
  private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9.]+");

  private LoopbackGuard() {}

  /** True when {@code host} names the loopback interface: 127.0.0.0/8, ::1 (any notation) or localhost. */
  static boolean isLoopback(String host) {
    String h = host.trim();
    if (h.equalsIgnoreCase("localhost")) return true;
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    boolean v4 = IPV4_LITERAL.matcher(h).matches();
    boolean v6 = h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) return false;
    try {
      // a literal is parsed, never looked up
      InetAddress a = InetAddress.getByName(h);
      if (a instanceof Inet6Address) return a.isLoopbackAddress();
      return (a.getAddress()[0] & 0xff) == 127;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Resolves the target of {@code o}, refusing non-loopback hosts unless {@code allowRemote} is set.
   *
   * @throws UsageException when the target is refused or cannot be resolved
   */
  static InetSocketAddress target(Options o) {
    if (!o.allowRemote() && !isLoopback(o.host())) {
      throw new UsageException("refusing non-loopback target '" + o.host()
          + "': load tests only run against 127.0.0.0/8, ::1 or localhost unless --allow-remote is given");
    }
    String h = o.host();
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    InetAddress address;
    try {
      address = InetAddress.getByName(h);
    } catch (UnknownHostException e) {
      throw new UsageException("cannot resolve host '" + o.host() + "'");
    }
    if (!o.allowRemote() && !address.isLoopbackAddress()) {
      throw new UsageException("'" + o.host() + "' resolves to " + address.getHostAddress()
          + ", which is not a loopback address; pass --allow-remote to use it anyway");
    }
    return new InetSocketAddress(address, o.port());
  }
}
