package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When the node of an actor went: never for this node's own actors or a member's, else since its removal. */
@Timeout(30)
class NodeDeparturesTest {
  static final ActorTestKit kit = ActorTestKit.create("departures", ConfigFactory.parseString(
      "pekko.actor.provider = cluster\npekko.remote.artery.canonical.port = 0\n")
      .withFallback(ConfigFactory.load("application-test")));

  @AfterAll
  static void cleanup() {
    kit.shutdownTestKit();
  }

  static ActorRef<Object> remote(String host) {
    return ActorRefResolver.get(kit.system()).resolveActorRef("pekko://tickroom@" + host + ":25520/system/tcp-session-1#7");
  }

  @Test
  void aRemovedNodeIsGoneSinceItsRemovalAndAnUnknownOneSinceEver() {
    AtomicLong now = new AtomicLong(5_000);
    Address alive = new Address("pekko", "tickroom", "10.0.0.1", 25520);
    NodeDepartures d = new NodeDepartures(now::get, Set.of(alive)::contains);
    TestProbe<Object> local = kit.createTestProbe();
    assertEquals(OptionalLong.empty(), d.goneSince(local.getRef()), "this node's own session");
    assertEquals(OptionalLong.empty(), d.goneSince(remote("10.0.0.1")), "a member's session");
    assertEquals(OptionalLong.of(0), d.goneSince(remote("10.0.0.2")), "never seen: gone for as long as can be");
    d.removed(new Address("pekko", "tickroom", "10.0.0.2", 25520));
    now.set(9_000);
    assertEquals(OptionalLong.of(5_000), d.goneSince(remote("10.0.0.2")), "gone since its removal was seen");
  }
}
