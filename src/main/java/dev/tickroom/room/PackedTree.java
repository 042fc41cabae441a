package dev.tickroom.room;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A JSON tree kept as CBOR bytes: a room's game snapshot, which lives in the replicated store for a snapshot
 * interval until the next one replaces it. As a Jackson tree an arena snapshot is about 18 maps and 90 map
 * entries (7.5 KB); it outlived several young collections, was promoted and died in the old generation, and at
 * 100 rooms that was two thirds of all a node promoted, with a full collection (a 100 ms pause) every 20 s or
 * so. As bytes it is one array of a few hundred bytes.
 *
 * <p>Serialized (a snapshot sent to other nodes) it is written as the tree itself, and read from one, so the
 * snapshot's format is unchanged.
 */
@JsonSerialize(using = PackedTree.Writer.class)
@JsonDeserialize(using = PackedTree.Reader.class)
public final class PackedTree {
  private static final CBORMapper CBOR = new CBORMapper();

  private final byte[] cbor;

  private PackedTree(byte[] cbor) {
    this.cbor = cbor;
  }

  /** {@code tree} packed; null for null. */
  public static PackedTree of(JsonNode tree) {
    if (tree == null) return null;
    try {
      return new PackedTree(CBOR.writeValueAsBytes(tree));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack a tree", e);
    }
  }

  /** A new tree equal to the one packed. */
  public JsonNode tree() {
    try {
      return CBOR.readTree(cbor);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack a tree", e); // bytes this class wrote itself
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackedTree p && Arrays.equals(cbor, p.cbor);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(cbor);
  }

  @Override
  public String toString() {
    return tree().toString();
  }

  /** Writes the tree (made for the occasion: only a snapshot sent to another node is serialized). */
  static final class Writer extends StdSerializer<PackedTree> {
    Writer() {
      super(PackedTree.class);
    }

    @Override
    public void serialize(PackedTree value, JsonGenerator gen, SerializerProvider provider) throws IOException {
      gen.writeTree(value.tree());
    }
  }

  /** Reads a tree and packs it. */
  static final class Reader extends StdDeserializer<PackedTree> {
    Reader() {
      super(PackedTree.class);
    }

    @Override
    public PackedTree deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      return of(ctx.readTree(p));
    }
  }
}
