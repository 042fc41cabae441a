package dev.tickroom.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import dev.tickroom.e2e.Http;
import dev.tickroom.e2e.TcpWireClient;
import dev.tickroom.protocol.Codec;
import dev.tickroom.room.RoomEntity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Operator endpoints live on the management port, read-only; /api/status never wakes a room. */
@Timeout(90)
class OpsEndpointsTest {
  static Node node;
  static Node withToken;

  @BeforeAll
  static void start() throws Exception {
    node = Node.start(ConfigFactory.parseString("tickroom.rooms.idle-timeout = 1s")
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
    withToken = Node.start(ConfigFactory.parseString("tickroom.ops.public-token = \"s3cret-test-token\"")
        .withFallback(ConfigFactory.load("application-test")), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
    if (withToken != null) withToken.stop();
  }

  @Test
  void thePublicPortServesTheDemoButNoOperatorEndpoint() {
    String pub = Http.publicBase(node);
    for (String path : new String[] {"/metrics", "/api/status", "/dashboard.html", "/dashboard.js", "/admin/status"}) {
      assertEquals(404, Http.get(pub + path).statusCode(), path + " on the public port");
    }
    assertEquals(200, Http.get(pub + "/").statusCode());
    assertTrue(Http.get(pub + "/").body().contains("<html"), "the web demo");
    assertEquals(200, Http.get(pub + "/tickroom-client.js").statusCode());
    assertEquals(200, Http.get(pub + "/style.css").statusCode());
  }

  @Test
  void theManagementPortServesMetricsStatusAndTheDashboardReadOnly() throws Exception {
    String ops = Http.opsBase(node);
    HttpResponse<String> metrics = Http.get(ops + "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("tickroom_connections{transport=\"tcp\"}"), "Prometheus text");
    for (String path : new String[] {"/api/status", "/admin/status"}) {
      HttpResponse<String> r = Http.get(ops + path);
      assertEquals(200, r.statusCode(), path);
      assertEquals(1, Codec.MAPPER.readTree(r.body()).get("members").size(), path + ": " + r.body());
    }
    HttpResponse<String> page = Http.get(ops + "/dashboard.html");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("dashboard.js"), "the dashboard page");
    assertEquals(200, Http.get(ops + "/dashboard.js").statusCode());
    assertEquals(200, Http.get(ops + "/style.css").statusCode());
    HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ops + "/api/status"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertNotEquals(200, post.statusCode(), "read-only");
  }

  @Test
  void statusListsARunningRoomWithItsPlayers() throws Exception {
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("ops");
      c.join("ops-live", "arena");
      JsonNode room = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (room == null && System.nanoTime() < deadline) {
        for (JsonNode r : Codec.MAPPER.readTree(Http.get(Http.opsBase(node) + "/api/status").body()).get("rooms")) {
          if (r.get("room").asText().equals("ops-live") && r.get("players").asInt() == 1) room = r;
        }
        if (room == null) Thread.sleep(200); // the document is cached for a second
      }
      assertTrue(room != null, "ops-live with its player in /api/status");
      assertEquals("arena", room.get("game").asText());
    }
  }

  static Set<String> runningRooms() throws Exception {
    ShardRegion.CurrentShardRegionState s = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
        ClusterSharding.get(node.system()).shardState(),
        replyTo -> new GetShardRegionState(RoomEntity.TYPE_KEY, replyTo), Duration.ofSeconds(5), node.system().scheduler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    java.util.Set<String> ids = new java.util.HashSet<>();
    s.getShards().forEach(sh -> ids.addAll(sh.getEntityIds()));
    return ids;
  }

  @Test
  void askingForARoomThatHasStoppedDoesNotStartItAgain() throws Exception {
    try (TcpWireClient c = new TcpWireClient(node.gameAddress())) {
      c.hello("ops-stop");
      c.join("ops-stopped", "arena");
      c.send("{\"type\":\"leave\"}");
      c.awaitType("left");
    }
    // empty, the room stops itself after 1 s
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (runningRooms().contains("ops-stopped")) {
      assertTrue(System.nanoTime() < deadline, "the empty room stopped");
      Thread.sleep(100);
    }
    // what a status request does with a listing taken just before the room stopped
    var infos = NodeStatus.infos(node.system(), Map.of("ops-stopped", "0"), Duration.ofSeconds(3))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(infos.isEmpty(), "a stopped room is not listed: " + infos);
    assertFalse(runningRooms().contains("ops-stopped"), "and it was not started again");
  }

  @Test
  void withAPublicTokenMetricsAndStatusAreOnThePublicPortOnlyWithIt() {
    String pub = Http.publicBase(withToken);
    assertEquals(401, Http.get(pub + "/metrics").statusCode());
    assertEquals(401, Http.get(pub + "/api/status", Map.of("Authorization", "Bearer wrong")).statusCode());
    Map<String, String> auth = Map.of("Authorization", "Bearer s3cret-test-token");
    assertEquals(200, Http.get(pub + "/metrics", auth).statusCode());
    assertEquals(200, Http.get(pub + "/api/status", auth).statusCode());
    assertEquals(404, Http.get(pub + "/dashboard.html", auth).statusCode(), "the dashboard stays on the management port");
    assertEquals(200, Http.get(pub + "/").statusCode());
  }
}
