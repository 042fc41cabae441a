package dev.tickroom.room;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tickroom.protocol.Codec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Writes the fixtures of the current formats; run once per release with -Dtickroom.fixtures=dir. */
@EnabledIfSystemProperty(named = "tickroom.fixtures", matches = ".+")
class WriteFormatFixturesTest {
  @Test
  void write() throws Exception {
    Path dir = Path.of(System.getProperty("tickroom.fixtures"));
    ActorTestKit kit = FormatFixtures.kit();
    try {
      TestProbe<RoomEvent> session = kit.createTestProbe("session");
      var game = Codec.MAPPER.readTree("{\"tick\":41,\"totals\":{\"pa\":7},\"log\":[\"pa:1\"]}");
      RoomSnapshot snap = new RoomSnapshot("r-old", "counter", 1234567L, 41L, PackedTree.of(game),
          List.of(new RoomSnapshot.Member("pa", "ann", 3L, "pekko://fixtures@127.0.0.1:25520/user/session#1")),
          3L, 1, System.currentTimeMillis(), false, null, null);
      FormatFixtures.write(kit, dir, "snapshot", snap);
      SelfUniqueAddress node = new SelfUniqueAddress(new UniqueAddress(new Address("pekko", "fixtures", "127.0.0.1", 25520), 7L));
      FormatFixtures.write(kit, dir, "snapshot-map", LWWMap.<String, RoomSnapshot>create().put(node, "r-old", snap));
      FormatFixtures.write(kit, dir, "join", new RoomEntity.Join("pa", "ann", "counter", session.getRef()));
      FormatFixtures.write(kit, dir, "state",
          new RoomEvent.State("r-old", 42L, 3L, "{\"tick\":42}".getBytes(StandardCharsets.UTF_8)));
    } finally {
      kit.shutdownTestKit();
    }
  }
}
