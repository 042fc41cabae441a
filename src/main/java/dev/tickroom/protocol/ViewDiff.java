package dev.tickroom.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One line of views (a room's shared view, or one member's own view): renders each view to JSON once and
 * computes the merge patch from the view before, so that every member who sees it gets the same bytes.
 * Versions start at a random number, so views of another room, or of this room before it moved or
 * restarted, never pass for the one a client holds. Not thread-safe: one per room (or member), used by the
 * room's actor.
 */
public final class ViewDiff {
  private JsonNode prev;
  private long version = ThreadLocalRandom.current().nextLong() | 1;

  /** A view as the room sends it: the full state and its delta. */
  public record Frame(byte[] full, Delta delta) {}

  /** The next view of this line. */
  public Frame next(Object view) {
    JsonNode tree = view instanceof JsonNode j ? j.deepCopy() : Codec.MAPPER.valueToTree(view);
    byte[] full = write(tree);
    long base = 0;
    byte[] patch = null;
    if (prev != null) {
      base = version;
      patch = write(MergePatch.diff(prev, tree));
    }
    version++;
    if (version == 0) version++;
    prev = tree;
    return new Frame(full, new Delta(version, base, patch));
  }

  private static byte[] write(JsonNode tree) {
    try {
      return Codec.MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
