package dev.tickroom.games.arena;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.WritableTypeId;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import dev.tickroom.protocol.Codec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One tick's shared arena view, copied out of the state into flat arrays and written straight to the
 * Jackson generator (no intermediate tree, no reflection):
 * {@code {"players": {"<id>": {"name", "x", "y", "score"}}, "coins": [{"x", "y"}]}}.
 *
 * <p>It is an immutable copy, so it stays valid however late it is serialised and whatever the game does
 * to its state afterwards. Player keys appear in id order, coins in the state's order.
 */
public final class ArenaView extends JsonSerializable.Base {
  /** Per player: id, name. */
  private final String[] names;
  /** Per player: x, y, score. */
  private final int[] players;
  /** Per coin: x, y. */
  private final int[] coins;

  ArenaView(String[] names, int[] players, int[] coins) {
    this.names = names;
    this.players = players;
    this.coins = coins;
  }

  static ArenaView of(ArenaState s) {
    String[] names = new String[s.players.size() * 2];
    int[] players = new int[s.players.size() * 3];
    int n = 0;
    int i = 0;
    for (ArenaState.Player p : s.players.values()) {
      names[n++] = p.id.value();
      names[n++] = p.name;
      players[i++] = p.x;
      players[i++] = p.y;
      players[i++] = p.score;
    }
    int[] coins = new int[s.coins.size() * 2];
    int c = 0;
    for (ArenaState.Coin coin : s.coins) {
      coins[c++] = coin.x();
      coins[c++] = coin.y();
    }
    return new ArenaView(names, players, coins);
  }

  @Override
  public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
    g.writeStartObject();
    writeFields(g);
    g.writeEndObject();
  }

  @Override
  public void serializeWithType(JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
      throws IOException {
    WritableTypeId typeId = typeSer.writeTypePrefix(g, typeSer.typeId(this, JsonToken.START_OBJECT));
    writeFields(g);
    typeSer.writeTypeSuffix(g, typeId);
  }

  private void writeFields(JsonGenerator g) throws IOException {
    g.writeObjectFieldStart("players");
    for (int p = 0, n = 0, i = 0; p < players.length / 3; p++) {
      g.writeObjectFieldStart(names[n++]);
      g.writeStringField("name", names[n++]);
      g.writeNumberField("x", players[i++]);
      g.writeNumberField("y", players[i++]);
      g.writeNumberField("score", players[i++]);
      g.writeEndObject();
    }
    g.writeEndObject();
    g.writeArrayFieldStart("coins");
    for (int c = 0; c < coins.length; c += 2) {
      g.writeStartObject();
      g.writeNumberField("x", coins[c]);
      g.writeNumberField("y", coins[c + 1]);
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** The view as JSON text, for logs and debugging. */
  @Override
  public String toString() {
    return new String(Codec.writeJson(this), StandardCharsets.UTF_8);
  }
}
