package dev.tickroom.protocol;

/**
 * What lets a connection send a room's state as a merge patch: the version of the view a state carries, and
 * the patch from the view before it. Made once per view by {@link ViewDiff} and shared by every member. When
 * no one who sees the view takes patches, none is made: {@code base} is 0 and {@code patch} null, and a
 * connection sends the full state (the version still counts, as the base of the next patch).
 *
 * @param version this view's version (never 0); unique per room incarnation and view line
 * @param base the version {@code patch} applies to; 0 when there is no patch
 * @param patch the RFC 7386 merge patch as JSON bytes, or null
 */
public record Delta(long version, long base, byte[] patch) {}
