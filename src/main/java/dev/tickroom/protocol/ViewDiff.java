package dev.tickroom.protocol;

import java.util.concurrent.ThreadLocalRandom;

/**
 * One line of views (a room's shared view, or one member's own view): renders each view to JSON once and
 * computes the merge patch from the view before, so that every member who sees it gets the same bytes.
 * Versions start at a random number, so views of another room, or of this room before it moved or
 * restarted, never pass for the one a client holds. Not thread-safe: one per room (or member), used by the
 * room's actor.
 */
public final class ViewDiff {
  // made on the first view that asks for a patch: a line no patch member sees (every member's own line in
  // a room of full members) holds nothing
  private JsonTape prev;
  private JsonTape cur;
  private MergePatch.Buffer out;
  private long version = ThreadLocalRandom.current().nextLong() | 1;

  /** A view as the room sends it: the full state and its delta. */
  public record Frame(byte[] full, Delta delta) {}

  /**
   * The next view of this line, already encoded (the game's cached writer), with its merge patch from the
   * view before (none for the first view, or after {@link #nextWithoutPatch}). The patch is computed on
   * the encoded views' bytes ({@link MergePatch#diff}), so it turns exactly the bytes a client was sent
   * into the next ones, with no tree of either view.
   */
  public Frame next(byte[] full) {
    if (prev == null) {
      prev = new JsonTape();
      cur = new JsonTape();
      out = new MergePatch.Buffer();
    }
    try {
      cur.parse(full);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("a view is not JSON", e);
    }
    long base = 0;
    byte[] patch = null;
    if (prev.holds()) {
      base = version;
      patch = MergePatch.diff(prev, cur, out);
    }
    JsonTape t = prev;
    prev = cur;
    cur = t;
    return new Frame(full, new Delta(advance(), base, patch));
  }

  /**
   * The next view of this line when no one on it takes patches, already encoded: nothing is indexed and no
   * view is kept (building a tree per view was most of a full-sync room's cost of patches). The version still advances, so a client
   * never mistakes it for another view; the next view that asks for a patch gets none (the line holds no
   * base), the one after it does. A patch member is sent a full state after it joins anyway.
   */
  public Frame nextWithoutPatch(byte[] full) {
    if (prev != null) prev.clear();
    return new Frame(full, new Delta(advance(), 0, null));
  }

  private long advance() {
    version++;
    if (version == 0) version++;
    return version;
  }
}
