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

  /**
   * The next view of this line, with its merge patch from the view before (none for the first view, or
   * after {@link #nextWithoutPatch}).
   */
  public Frame next(Object view) {
    JsonNode tree = view instanceof JsonNode j ? j.deepCopy() : Codec.MAPPER.valueToTree(view);
    byte[] full = write(tree);
    long base = 0;
    byte[] patch = null;
    if (prev != null) {
      base = version;
      patch = write(MergePatch.diff(prev, tree));
    }
    prev = tree;
    return new Frame(full, new Delta(advance(), base, patch));
  }

  /**
   * The next view of this line when no one on it takes patches, already encoded: no tree is built and none
   * is kept (that was most of a full-sync room's cost of patches). The version still advances, so a client
   * never mistakes it for another view; the next view that asks for a patch gets none (the line holds no
   * base), the one after it does. A patch member is sent a full state after it joins anyway.
   */
  public Frame nextWithoutPatch(byte[] full) {
    prev = null;
    return new Frame(full, new Delta(advance(), 0, null));
  }

  private long advance() {
    version++;
    if (version == 0) version++;
    return version;
  }

  private static byte[] write(JsonNode tree) {
    try {
      return Codec.MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
