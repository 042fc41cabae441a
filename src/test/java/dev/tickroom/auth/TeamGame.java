package dev.tickroom.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.game.Admission;
import dev.tickroom.game.Game;
import dev.tickroom.game.GameSpec;
import dev.tickroom.game.Identity;
import dev.tickroom.game.Input;
import dev.tickroom.game.LeaveReason;
import dev.tickroom.game.PlayerId;
import dev.tickroom.game.RoomSeed;
import dev.tickroom.game.Step;
import dev.tickroom.protocol.Codec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A game that reads the verified identity: a player whose token says {@code "banned": true} is refused
 * ({@code banned}); every other player is shown with the {@code team} claim of its token ("none" without one).
 */
public final class TeamGame implements Game<Map<String, String>> {
  @Override
  public GameSpec spec() {
    return new GameSpec("teams", 10, 8, true);
  }

  @Override
  public Map<String, String> create(RoomSeed seed) {
    return new LinkedHashMap<>();
  }

  @Override
  public Admission admit(Map<String, String> s, PlayerId who, Identity identity) {
    if (Boolean.TRUE.equals(identity.claim("banned"))) return Admission.reject("banned", "your account may not play");
    return Admission.accept();
  }

  @Override
  public Step<Map<String, String>> join(Map<String, String> s, PlayerId who, String name) {
    throw new AssertionError("the room must call join with the identity");
  }

  @Override
  public Step<Map<String, String>> join(Map<String, String> s, PlayerId who, String name, Identity identity) {
    Object team = identity.claim("team");
    s.put(who.value(), team == null ? "none" : team.toString());
    return Step.of(s);
  }

  @Override
  public Step<Map<String, String>> leave(Map<String, String> s, PlayerId who, LeaveReason why) {
    s.remove(who.value());
    return Step.of(s);
  }

  @Override
  public Step<Map<String, String>> tick(Map<String, String> s, long tick, List<Input> inputs) {
    return Step.of(s);
  }

  @Override
  public Object view(Map<String, String> s, PlayerId forWhom) {
    return Map.of("teams", s);
  }

  @Override
  public JsonNode snapshot(Map<String, String> s) {
    return Codec.MAPPER.valueToTree(s);
  }

  @Override
  public Map<String, String> restore(RoomSeed seed, JsonNode snapshot) {
    Map<String, String> s = new LinkedHashMap<>();
    snapshot.fields().forEachRemaining(e -> s.put(e.getKey(), e.getValue().asText()));
    return s;
  }
}
