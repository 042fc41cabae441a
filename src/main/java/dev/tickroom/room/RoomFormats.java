package dev.tickroom.room;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * The versions of the room's serialized formats, bound in application.conf
 * ({@code pekko.serialization.jackson.migrations}). Pekko writes "class#version" as the manifest and runs
 * the migration on anything older, so a node reads what the previous release wrote (tested with bytes saved
 * from release 0.1, whose manifests carry no version: version 1).
 *
 * <p>Each format is also read one version ahead ({@link Migration#supportedForwardVersion}): during a
 * rolling upgrade the nodes not yet upgraded receive the next version from upgraded ones, and Pekko refuses
 * a version past the one it supports. A next version that only adds fields (the rule for these formats) is
 * read as it is: the fields this node does not know are ignored ({@code FAIL_ON_UNKNOWN_PROPERTIES} is off).
 */
public final class RoomFormats {
  private RoomFormats() {}

  /** A room format's migration, which also reads the next version (see the class comment). */
  public abstract static class Migration extends JacksonMigration {
    @Override
    public int supportedForwardVersion() {
      return currentVersion() + 1;
    }
  }

  /** {@link RoomSnapshot}. 2: incarnation, gameVersion, savedAtMillis, closed. */
  public static final class Snapshot extends Migration {
    @Override
    public int currentVersion() {
      return 2;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      if (fromVersion < 2 && json instanceof ObjectNode o) {
        o.put("incarnation", 0L); // the next restore makes it 1, as for a fresh room
        o.put("gameVersion", 1); // the shipped games' first snapshot format
        // not known: taken as saved now, so that a rolling upgrade does not expire the snapshots it carries
        o.put("savedAtMillis", System.currentTimeMillis());
        o.put("closed", false);
      }
      return json;
    }
  }

  /** {@link RoomEvent.State}. 2: {@code delta} (the merge patch from the view before); absent in 1, read as null. */
  public static final class State extends Migration {
    @Override
    public int currentVersion() {
      return 2;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      return json; // a missing delta is null: the receiver sends the full state
    }
  }

  /**
   * {@link RoomEntity.Join}. 2: {@code identity} (the verified identity), {@code options} and {@code label};
   * absent in 1, read as null: an anonymous player, no options, no label. 3: {@code patch} (the member's
   * connection takes merge patches); absent in 1 and 2, read as true.
   */
  public static final class Join extends Migration {
    @Override
    public int currentVersion() {
      return 3;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      if (fromVersion < 3 && json instanceof ObjectNode o) {
        // A node of an earlier release does not say which sync its client chose, and until now every member
        // got the room's patches. Read as "no patch", its patch clients would get the full state every tick
        // until the rollout ends; read as "patch", the room merely goes on computing patches as it always
        // did and sends them along, which a full client ignores. So true: the old behaviour, not a regression.
        o.put("patch", true);
      }
      return json;
    }
  }

  /** Cross-node room messages ({@link RoomEntity} commands, {@link RoomEvent}s): version 1, as release 0.1. */
  public static final class Message extends Migration {
    @Override
    public int currentVersion() {
      return 1;
    }

    @Override
    public JsonNode transform(int fromVersion, JsonNode json) {
      return json;
    }
  }
}
