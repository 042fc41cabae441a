package dev.tickroom.game;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON for games, with Jackson: typed inputs (strict: no coercion of strings or floats into numbers, every
 * record component required), the default snapshot of {@link JsonStateGame}, and view encoding with one
 * cached writer per view class so the room resolves no serializer on a tick. Thread-safe.
 */
public final class GameJson {
  /** Strict for reading inputs and snapshots; writes records, Maps and JsonNodes as usual. */
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();

  private static final ClassValue<ObjectWriter> WRITERS = new ClassValue<>() {
    @Override
    protected ObjectWriter computeValue(Class<?> type) {
      return MAPPER.writerFor(type);
    }
  };

  private GameJson() {}

  /** Input data that does not fit the game's input type: the message is a sentence for the player. */
  public static final class BadInput extends IllegalArgumentException {
    public BadInput(String message) {
      super(message);
    }
  }

  /** A view or event payload that is already JSON text: written as it is, no encoding at all. */
  public record RawJson(byte[] json) {}

  /** Decodes {@code data} into {@code type}, or throws {@link BadInput} saying what does not fit. */
  public static <T> T decode(JsonNode data, Class<T> type) {
    if (data == null || !data.isObject()) throw new BadInput("input data must be an object");
    try {
      return MAPPER.treeToValue(data, type);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new BadInput(cause.getMessage() != null ? cause.getMessage() : "input data does not fit " + type.getSimpleName());
    } catch (InvalidFormatException e) {
      throw new BadInput("field '" + path(e) + "' has the wrong type: " + e.getValue());
    } catch (MismatchedInputException e) {
      String p = path(e);
      throw new BadInput(p.isEmpty() ? "input data does not fit " + type.getSimpleName() : "field '" + p + "' is missing or has the wrong type");
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new BadInput("input data does not fit " + type.getSimpleName());
    }
  }

  private static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (sb.length() > 0) sb.append('.');
      sb.append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
    }
    return sb.toString();
  }

  /** Encodes a view, event data or result: {@link RawJson} as it is, anything else with a cached writer. */
  public static byte[] write(Object value) {
    if (value instanceof RawJson raw) return raw.json();
    try {
      if (value == null) return NULL;
      if (value instanceof JsonNode tree) return MAPPER.writeValueAsBytes(tree);
      return WRITERS.get(value.getClass()).writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  /** Encodes once, to send the same JSON many times (e.g. a view that changes rarely). */
  public static RawJson raw(Object value) {
    return new RawJson(write(value));
  }
}
