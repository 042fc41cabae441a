package dev.tickroom.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What lets a connection send a room's state as a merge patch: the version of the view a state carries, and
 * the patch from the view before it. Made once per view by {@link ViewDiff} and shared by every member. When
 * no one who sees the view takes patches, none is made: {@code base} is 0 and {@code patch} null, and a
 * connection sends the full state (the version still counts, as the base of the next patch).
 *
 * <p>Sent between nodes as {@code {"version", "base", "patch"}} (the room format of {@code RoomEvent.State}).
 */
public final class Delta {
  private final long version;
  private final long base;
  private final byte[] patch;
  // the patch read once for every cbor connection of the room, on whichever connection's thread needs it
  // first; a race reads it twice into equal trees, and a tree is only read once published
  @JsonIgnore // nodes see fields (Pekko's mapper): this one stays home
  private volatile JsonNode patchTree;

  /**
   * @param version this view's version (never 0); unique per room incarnation and view line
   * @param base the version {@code patch} applies to; 0 when there is no patch
   * @param patch the RFC 7386 merge patch as JSON bytes, or null
   */
  @JsonCreator
  public Delta(@JsonProperty("version") long version, @JsonProperty("base") long base,
      @JsonProperty("patch") byte[] patch) {
    this.version = version;
    this.base = base;
    this.patch = patch;
  }

  @JsonProperty("version")
  public long version() {
    return version;
  }

  @JsonProperty("base")
  public long base() {
    return base;
  }

  @JsonProperty("patch")
  public byte[] patch() {
    return patch;
  }

  /** The patch as a tree, read once and shared: the cbor format encodes trees. Never changed by its users. */
  JsonNode patchTree() {
    JsonNode t = patchTree;
    if (t == null) {
      try {
        t = Codec.MAPPER.readTree(patch);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      patchTree = t;
    }
    return t;
  }

  @Override
  public String toString() {
    return "Delta[version=" + version + ", base=" + base + ", patch=" + (patch == null ? 0 : patch.length) + " bytes]";
  }
}
