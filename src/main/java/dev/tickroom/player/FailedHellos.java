package dev.tickroom.player;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed hellos per client address: a token bucket each ({@code burst} failures, refilled at
 * {@code perSecond}). Once an address's bucket is empty, every hello from it is refused without asking the
 * authenticator, until the bucket refills. The map is bounded: past {@code maxAddresses} the least recently
 * seen address is forgotten (an address whose bucket is full again needs no entry anyway). Thread-safe: one
 * per node, shared by every session.
 */
public final class FailedHellos {
  private final double perNano;
  private final double burst;
  private final LongSupplier nanos;
  private final Map<String, Bucket> buckets;

  private static final class Bucket {
    double tokens;
    long last;

    Bucket(double tokens, long last) {
      this.tokens = tokens;
      this.last = last;
    }
  }

  public FailedHellos(double perSecond, int burst, int maxAddresses, LongSupplier nanos) {
    if (perSecond <= 0 || burst < 1 || maxAddresses < 1) throw new IllegalArgumentException("failed-hellos settings must be positive");
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanos = nanos;
    this.buckets = new LinkedHashMap<String, Bucket>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
        return size() > maxAddresses;
      }
    };
  }

  /** False when this address has used up its failures: refuse its hello. */
  public synchronized boolean allowed(String address) {
    Bucket b = buckets.get(address);
    return b == null || refill(b) >= 1;
  }

  /** A hello from this address failed. */
  public synchronized void failed(String address) {
    Bucket b = buckets.computeIfAbsent(address, a -> new Bucket(burst, nanos.getAsLong()));
    b.tokens = Math.max(0, refill(b) - 1);
  }

  private double refill(Bucket b) {
    long now = nanos.getAsLong();
    b.tokens = Math.min(burst, b.tokens + (now - b.last) * perNano);
    b.last = now;
    return b.tokens;
  }

  synchronized int size() {
    return buckets.size();
  }
}
