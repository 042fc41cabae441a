package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.e2e.TcpWireClient;
import dev.tickroom.e2e.WireClient;
import dev.tickroom.protocol.Codec;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real OS processes of the built jar: three nodes on loopback; the node hosting a room is killed with
 * SIGKILL; the room resumes on a survivor from its replicated snapshot, clients on survivors go on
 * without reconnecting, the killed node's client resumes elsewhere with its token, and a fourth node
 * then takes over some rooms. Runs in the integration-test phase, after the jar is packaged.
 */
@Timeout(300)
class FailoverIT {
  static final Path JAR = Path.of("target", "tickroom.jar");
  static final Path LOGS = Path.of("target", "failover");
  final List<NodeProcess> nodes = new ArrayList<>();
  final List<WireClient> clients = new ArrayList<>();

  record NodeProcess(int index, Process process, int game, int cluster, int management) {
    String endpoint() {
      return "127.0.0.1:" + game;
    }

    String address() {
      return "pekko://tickroom@127.0.0.1:" + cluster;
    }
  }

  @AfterEach
  void stopAll() {
    clients.forEach(WireClient::close);
    for (NodeProcess n : nodes) {
      n.process().destroyForcibly(); // only processes this test started, by their handles
      try {
        n.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  NodeProcess start(int index, int seed1, int seed2) throws IOException {
    int game = ClusterTest.freePort();
    int cluster = index == 1 ? seed1 : index == 2 ? seed2 : ClusterTest.freePort();
    int management = ClusterTest.freePort();
    Files.createDirectories(LOGS);
    ProcessBuilder pb = new ProcessBuilder(
        ProcessHandle.current().info().command().orElse("java"),
        "-Xmx256m",
        "-Dpekko.cluster.split-brain-resolver.stable-after=3s",
        "-Dpekko.cluster.failure-detector.acceptable-heartbeat-pause=2s",
        "-Dpekko.cluster.sharding.rebalance-interval=1s",
        "-Dpekko.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit=0.5",
        "-jar", JAR.toString());
    pb.environment().put("GAME_HOST", "127.0.0.1");
    pb.environment().put("GAME_PORT", Integer.toString(game));
    pb.environment().put("HTTP_PORT", Integer.toString(ClusterTest.freePort()));
    pb.environment().put("CLUSTER_HOST", "127.0.0.1");
    pb.environment().put("CLUSTER_PORT", Integer.toString(cluster));
    pb.environment().put("SEED_NODES", "127.0.0.1:" + seed1 + ",127.0.0.1:" + seed2);
    pb.environment().put("MANAGEMENT_PORT", Integer.toString(management));
    pb.redirectErrorStream(true);
    pb.redirectOutput(LOGS.resolve("node-" + index + ".log").toFile());
    NodeProcess n = new NodeProcess(index, pb.start(), game, cluster, management);
    nodes.add(n);
    return n;
  }

  static void awaitPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200); // polling a starting process, bounded
      }
    }
    throw new AssertionError("port " + port + " never opened");
  }

  static JsonNode admin(NodeProcess n) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.management() + "/admin/status"))
            .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return Codec.MAPPER.readTree(r.body());
  }

  /** Polls the admin view of {@code via} until {@code test} holds, bounded. */
  static JsonNode awaitAdmin(NodeProcess via, java.util.function.Predicate<JsonNode> test, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = admin(via);
        if (test.test(last)) return last;
      } catch (IOException | AssertionError notYet) {
        // the node is still starting
      }
      Thread.sleep(500); // polling the admin view, bounded
    }
    throw new AssertionError("timed out waiting for " + what + "; last admin view: " + last);
  }

  static long upMembers(JsonNode admin) {
    long up = 0;
    for (JsonNode m : admin.get("members")) if ("Up".equals(m.get("status").asText())) up++;
    return up;
  }

  static String hostOf(JsonNode admin, String room) {
    for (JsonNode r : admin.get("rooms")) if (r.get("room").asText().equals(room)) return r.get("node").asText();
    return null;
  }

  WireClient client(NodeProcess n) {
    WireClient c = new TcpWireClient(new InetSocketAddress("127.0.0.1", n.game()));
    clients.add(c);
    return c;
  }

  static boolean isState(JsonNode m) {
    return "state".equals(m.path("type").asText());
  }

  static JsonNode me(JsonNode state, String player) {
    return state.path("state").path("players").path(player);
  }

  /** Steers the player toward the nearest coin until its score rises; returns the last state seen. */
  static JsonNode collectACoin(WireClient c, String player) {
    long seq = 100;
    String lastDir = "";
    for (int i = 0; i < 2000; i++) { // about 100 s of ticks at most; a coin is reached in far less
      JsonNode s = c.awaitType("state");
      JsonNode p = me(s, player);
      if (p.path("score").asInt() > 0) {
        c.send("{\"type\":\"input\",\"seq\":" + (++seq) + ",\"data\":{\"dx\":0,\"dy\":0}}");
        return c.await(m -> isState(m) && m.get("ack").asLong() >= 0 && me(m, player).path("score").asInt() > 0);
      }
      JsonNode best = null;
      double bestD = Double.MAX_VALUE;
      for (JsonNode coin : s.get("state").get("coins")) {
        double d = Math.hypot(coin.get("x").asDouble() - p.get("x").asDouble(), coin.get("y").asDouble() - p.get("y").asDouble());
        if (d < bestD) {
          bestD = d;
          best = coin;
        }
      }
      if (best == null) continue;
      int dx = Integer.signum((int) Math.round(best.get("x").asDouble() - p.get("x").asDouble()) / 3);
      int dy = Integer.signum((int) Math.round(best.get("y").asDouble() - p.get("y").asDouble()) / 3);
      String dir = dx + "," + dy;
      if (!dir.equals(lastDir)) {
        c.send("{\"type\":\"input\",\"seq\":" + (++seq) + ",\"data\":{\"dx\":" + dx + ",\"dy\":" + dy + "}}");
        lastDir = dir;
      }
    }
    throw new AssertionError("never reached a coin");
  }

  @Test
  void theRoomOfAKilledNodeResumesOnASurvivor() throws Exception {
    assertTrue(new File(JAR.toString()).isFile(), "build the jar first: mvn package");
    int seed1 = ClusterTest.freePort();
    int seed2 = ClusterTest.freePort();
    for (int i = 1; i <= 3; i++) start(i, seed1, seed2);
    for (NodeProcess n : nodes) awaitPort(n.game());
    awaitAdmin(nodes.get(0), a -> upMembers(a) == 3, "3 members up");

    // the room is created from node 1; more rooms so that a later node has something to take over
    String room = "fo-main";
    List<NodeProcess> three = List.copyOf(nodes);
    for (int i = 0; i < 8; i++) {
      WireClient extra = client(three.get(i % 3));
      extra.hello("extra" + i);
      assertEquals("joined", extra.join("fo-" + i, "arena").get("type").asText());
    }
    WireClient opener = client(three.get(0));
    opener.hello("opener");
    opener.join(room, "arena");
    String host = hostOf(awaitAdmin(three.get(0), a -> hostOf(a, room) != null, "room placed"), room);
    NodeProcess victim = three.stream().filter(n -> n.address().equals(host)).findFirst().orElseThrow();
    List<NodeProcess> survivors = three.stream().filter(n -> n != victim).toList();

    // players on both survivors and on the victim
    WireClient s1 = client(survivors.get(0));
    String p1 = s1.hello("s1").get("player").asText();
    s1.join(room, "arena");
    WireClient s2 = client(survivors.get(1));
    String p2 = s2.hello("s2").get("player").asText();
    s2.join(room, "arena");
    WireClient v = client(victim);
    JsonNode vWelcome = v.hello("victim");
    String pv = vWelcome.get("player").asText();
    v.join(room, "arena");
    s2.await(m -> isState(m) && !me(m, pv).isMissingNode() && !me(m, p1).isMissingNode());

    JsonNode scored = collectACoin(s1, p1);
    int score = me(scored, p1).get("score").asInt();
    long tickBefore = scored.get("tick").asLong();
    // a snapshot is replicated every second; give it two
    long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2200);
    while (System.nanoTime() < waitUntil) s1.awaitType("state");

    victim.process().destroyForcibly(); // SIGKILL
    assertTrue(victim.process().waitFor(10, TimeUnit.SECONDS));

    // survivors' clients keep their connections; the room comes back with the score and later ticks
    Duration failover = Duration.ofSeconds(45); // detection, downing (stable-after) and the room's restart
    JsonNode resumed = s1.await(m -> isState(m) && m.get("tick").asLong() > tickBefore + 20, failover);
    assertEquals(score, me(resumed, p1).get("score").asInt(), "score kept across the failover");
    s2.await(m -> isState(m) && m.get("tick").asLong() > tickBefore + 20 && !me(m, p1).isMissingNode(), failover);
    String newHost = hostOf(awaitAdmin(survivors.get(0), a -> hostOf(a, room) != null && upMembers(a) == 2, "room back"), room);
    assertTrue(survivors.stream().anyMatch(n -> n.address().equals(newHost)), "room now on a survivor");

    // the victim's client reconnects elsewhere with its resume token and is back in the room
    WireClient back = client(survivors.get(1));
    back.send("{\"type\":\"hello\",\"name\":\"victim\",\"resume\":\"" + vWelcome.get("resume").asText() + "\"}");
    assertEquals(pv, back.awaitType("welcome").get("player").asText());
    assertEquals(room, back.awaitType("joined").get("room").asText());
    s1.await(m -> isState(m) && !me(m, pv).isMissingNode());

    // a fourth node joins and takes over some rooms
    NodeProcess fourth = start(4, seed1, seed2);
    awaitPort(fourth.game());
    // rooms whose only player was on the killed node have no one left to bring them back
    long live = 1 + java.util.stream.IntStream.range(0, 8).filter(i -> three.get(i % 3) != victim).count();
    JsonNode after = awaitAdmin(fourth, a -> upMembers(a) == 3 && a.get("rooms").size() == live
        && countOn(a, fourth.address()) > 0, "the new node to host rooms");
    assertTrue(countOn(after, fourth.address()) > 0);
    // and the players of the main room are still served, on their old connections
    s1.await(m -> isState(m) && room.equals(m.get("room").asText()));
    s2.await(m -> isState(m) && room.equals(m.get("room").asText()));
  }

  static int countOn(JsonNode admin, String address) {
    int n = 0;
    for (JsonNode r : admin.get("rooms")) if (r.get("node").asText().equals(address)) n++;
    return n;
  }
}
