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

  /** The next view of this line, with its merge patch from the view before. */
  public Frame next(Object view) {
    return next(view, true);
  }

  /**
   * The next view of this line. With {@code withPatch} false no one on the line can use a patch, so none is
   * computed: the delta carries this view's version with base 0 and no patch (a connection sends the full
   * state). The version advances and the view is kept either way, so that the patch of the next view that
   * asks for one applies to exactly this view, which is what a client holds after it got it in full.
   */
  public Frame next(Object view, boolean withPatch) {
    JsonNode tree = view instanceof JsonNode j ? j.deepCopy() : Codec.MAPPER.valueToTree(view);
    byte[] full = write(tree);
    long base = 0;
    byte[] patch = null;
    if (withPatch && prev != null) {
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
