package dev.tickroom.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 7386 JSON merge patches: {@link #diff} makes the patch that turns one view into the next, {@link #apply}
 * applies one. A merge patch cannot set a member to null (null means "remove"), so the protocol's null rule
 * holds: under {@code patch} a member of an object whose value is null is absent ({@link #stripNulls}). Arrays
 * are values: a changed array is sent whole, and nulls inside arrays are kept as they are.
 */
public final class MergePatch {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private MergePatch() {}

  /**
   * The merge patch from {@code prev} to {@code next}: {@code apply(prev, diff(prev, next))} equals
   * {@code stripNulls(next)} as far as members outside arrays go (see the class comment).
   */
  public static JsonNode diff(JsonNode prev, JsonNode next) {
    if (!next.isObject()) return next;
    if (prev == null || !prev.isObject()) return stripNulls(next);
    ObjectNode patch = F.objectNode();
    diffInto(prev, next, patch);
    return patch;
  }

  /** Fills {@code patch} with the difference of two objects; returns whether it added anything. */
  private static boolean diffInto(JsonNode prev, JsonNode next, ObjectNode patch) {
    boolean any = false;
    for (Iterator<Map.Entry<String, JsonNode>> it = prev.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) continue; // absent for the client already
      JsonNode n = next.get(e.getKey());
      if (n == null || n.isNull()) {
        patch.putNull(e.getKey());
        any = true;
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = next.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode n = e.getValue();
      if (n.isNull()) continue;
      JsonNode p = prev.get(e.getKey());
      if (p == null || p.isNull()) {
        patch.set(e.getKey(), stripNulls(n));
        any = true;
      } else if (n.isObject() && p.isObject()) {
        ObjectNode sub = F.objectNode();
        if (diffInto(p, n, sub)) {
          patch.set(e.getKey(), sub);
          any = true;
        }
      } else if (!n.equals(p)) {
        patch.set(e.getKey(), stripNulls(n));
        any = true;
      }
    }
    return any;
  }

  /**
   * RFC 7386 MergePatch(target, patch); {@code target} may be null (absent). Returns a new tree and never
   * changes its arguments (parts of them may be shared by the result).
   */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) return patch;
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : F.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) result.remove(e.getKey());
      else result.set(e.getKey(), apply(result.get(e.getKey()), e.getValue()));
    }
    return result;
  }

  /** The value as a patch client holds it: object members whose value is null removed (not inside arrays). */
  public static JsonNode stripNulls(JsonNode value) {
    if (!value.isObject()) return value;
    boolean clean = true;
    for (Iterator<JsonNode> it = value.elements(); it.hasNext(); ) {
      JsonNode v = it.next();
      if (v.isNull() || v.isObject()) {
        clean = false;
        break;
      }
    }
    if (clean) return value;
    ObjectNode out = F.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNull()) out.set(e.getKey(), stripNulls(e.getValue()));
    }
    return out;
  }
}
