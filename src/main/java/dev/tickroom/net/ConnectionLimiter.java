package dev.tickroom.net;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's connection caps, shared by both transports: at most {@code maxTotal} open connections, and at
 * most {@code maxPerAddress} from one client address. A connection takes its place before anything is built
 * for it and gives it back when its stream ends. Thread-safe.
 */
public final class ConnectionLimiter {
  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

  public ConnectionLimiter(int maxTotal, int maxPerAddress) {
    if (maxTotal < 1 || maxPerAddress < 1) throw new IllegalArgumentException("connection caps must be at least 1");
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /** Takes a place for one connection from {@code address}; empty when taken, else why not. */
  public Optional<String> tryAcquire(String address) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return Optional.of("this node has its maximum of " + maxTotal + " connections; try another node or later");
    }
    boolean[] refused = new boolean[1];
    perAddress.compute(address, (a, n) -> {
      int now = n == null ? 0 : n;
      if (now >= maxPerAddress) {
        refused[0] = true;
        return n;
      }
      return now + 1;
    });
    if (refused[0]) {
      total.decrementAndGet();
      return Optional.of("your address has its maximum of " + maxPerAddress + " connections to this node");
    }
    return Optional.empty();
  }

  /** Gives back the place a connection from {@code address} took. */
  public void release(String address) {
    perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    total.decrementAndGet();
  }

  /** Open connections counted now. */
  public int open() {
    return total.get();
  }

  /** Open connections from one address. */
  public int open(String address) {
    return perAddress.getOrDefault(address, 0);
  }
}
