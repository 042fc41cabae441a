package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import dev.tickroom.e2e.TcpWireClient;
import dev.tickroom.e2e.WireClient;
import dev.tickroom.ops.ClusterStatus;
import dev.tickroom.ops.NodeStatus;
import dev.tickroom.room.RoomEntity;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several nodes in one JVM, each a full tickroom node on loopback ports, forming one cluster. */
@Timeout(180)
class ClusterTest {
  private final List<Node> nodes = new ArrayList<>();
  private final List<WireClient> clients = new ArrayList<>();
  private int seed1;
  private int seed2;

  @AfterEach
  void stopAll() {
    clients.forEach(WireClient::close);
    for (Node n : nodes) {
      try {
        n.stop();
      } catch (RuntimeException ignored) {
        // already stopped by the test
      }
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Config config(int artery) {
    return ConfigFactory.parseString(
            "pekko.remote.artery.canonical.port = " + artery + "\n"
            + "pekko.cluster.seed-nodes = [\"pekko://tickroom@127.0.0.1:" + seed1 + "\", \"pekko://tickroom@127.0.0.1:" + seed2 + "\"]\n"
            + "pekko.cluster.sharding.rebalance-interval = 1s\n"
            + "pekko.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit = 0.5\n"
            + "pekko.cluster.split-brain-resolver.stable-after = 3s\n"
            + "pekko.coordinated-shutdown.exit-jvm = off\n")
        .withFallback(ConfigFactory.load("application-test"));
  }

  Node startNode(int artery) throws Exception {
    Node n = Node.start(config(artery), Duration.ofSeconds(60));
    nodes.add(n);
    return n;
  }

  /** Starts n nodes and waits until all are Up in every node's view. */
  List<Node> startCluster(int n) throws Exception {
    seed1 = freePort();
    seed2 = freePort();
    List<Node> started = new ArrayList<>();
    for (int i = 0; i < n; i++) started.add(startNode(i == 0 ? seed1 : i == 1 ? seed2 : freePort()));
    awaitUp(started);
    return started;
  }

  static void awaitUp(List<Node> all) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      boolean ok = true;
      for (Node n : all) {
        long up = 0;
        for (var m : Cluster.get(n.system()).state().getMembers()) if (m.status() == MemberStatus.up()) up++;
        ok &= up == all.size();
      }
      if (ok) return;
      Thread.sleep(100); // polling the cluster state, bounded by the deadline
    }
    throw new AssertionError("cluster did not form");
  }

  WireClient client(Node n) {
    WireClient c = new TcpWireClient(n.gameAddress());
    clients.add(c);
    return c;
  }

  /** Which node hosts a room, as the admin view says; polls until it is known. */
  static Optional<String> hostOf(Node any, String room) throws Exception {
    ClusterStatus status = new ClusterStatus(any.system(), Duration.ofSeconds(3));
    for (NodeStatus.Report r : status.reports().toCompletableFuture().get(10, TimeUnit.SECONDS)) {
      for (RoomEntity.Info i : r.rooms()) if (i.roomId().equals(room)) return Optional.of(r.address());
    }
    return Optional.empty();
  }

  static String awaitHost(Node any, String room) throws Exception {
    for (int i = 0; i < 100; i++) {
      Optional<String> h = hostOf(any, room);
      if (h.isPresent()) return h.get();
      Thread.sleep(100); // polling the admin view, bounded
    }
    throw new AssertionError("room " + room + " not found on any node");
  }

  static String address(Node n) {
    return Cluster.get(n.system()).selfMember().address().toString();
  }

  static boolean isState(JsonNode m) {
    return "state".equals(m.path("type").asText());
  }

  static JsonNode me(JsonNode state, String player) {
    return state.path("state").path("players").path(player);
  }

  @Test
  void playersOnDifferentNodesShareARoom() throws Exception {
    List<Node> cluster = startCluster(2);
    WireClient a = client(cluster.get(0));
    WireClient b = client(cluster.get(1));
    String pa = a.hello("ann").get("player").asText();
    String pb = b.hello("bob").get("player").asText();
    assertEquals("joined", a.join("shared", "arena").get("type").asText());
    assertEquals("joined", b.join("shared", "arena").get("type").asText());
    JsonNode seen = b.await(m -> isState(m) && !me(m, pa).isMissingNode());
    int x0 = me(seen, pa).get("x").asInt();
    a.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":0}}");
    b.await(m -> isState(m) && me(m, pa).path("x").asInt() > Math.min(x0 + 9, 999));
    a.await(m -> isState(m) && !me(m, pb).isMissingNode() && m.get("ack").asLong() >= 1);
    a.send("{\"type\":\"chat\",\"text\":\"across nodes\"}");
    assertEquals("across nodes", b.awaitType("chat").get("text").asText());
  }

  @Test
  void aLeavingNodeHandsItsRoomOverWithStateKeptAndItsClientsResumeElsewhere() throws Exception {
    List<Node> cluster = startCluster(3);
    String room = "handoff";
    WireClient first = client(cluster.get(0));
    first.hello("first");
    first.join(room, "arena");
    String host = awaitHost(cluster.get(0), room);
    Node leaving = cluster.stream().filter(n -> address(n).equals(host)).findFirst().orElseThrow();
    Node staying = cluster.stream().filter(n -> n != leaving).findFirst().orElseThrow();

    // a client on a node that stays, and one on the node that leaves
    WireClient stay = client(staying);
    String ps = stay.hello("stay").get("player").asText();
    stay.join(room, "arena");
    WireClient moving = client(leaving);
    JsonNode welcome = moving.hello("moving");
    String pm = welcome.get("player").asText();
    moving.join(room, "arena");
    stay.send("{\"type\":\"input\",\"seq\":1,\"data\":{\"dx\":1,\"dy\":1}}");
    stay.send("{\"type\":\"input\",\"seq\":2,\"data\":{\"dx\":0,\"dy\":0}}");
    JsonNode before = stay.await(m -> isState(m) && m.get("ack").asLong() >= 2 && !me(m, pm).isMissingNode());
    long tickBefore = before.get("tick").asLong();
    int xBefore = me(before, ps).get("x").asInt();
    int yBefore = me(before, ps).get("y").asInt();
    Thread.sleep(1500); // let at least one periodic snapshot happen after the last move (snapshot interval 1 s)

    Thread stopper = new Thread(leaving::stop);
    stopper.start();

    // the leaving node's client is told where to go
    JsonNode reconnect = moving.awaitType("reconnect");
    assertEquals("node_leaving", reconnect.get("reason").asText());
    List<String> offered = new ArrayList<>();
    reconnect.get("nodes").forEach(n -> offered.add(n.asText()));
    assertEquals(2, offered.size(), reconnect.toString());
    assertTrue(moving.closedWithin(Duration.ofSeconds(10)));

    // the staying client keeps its connection: states go on from the same game, ticks continuing
    JsonNode after = stay.await(m -> isState(m) && m.get("tick").asLong() > tickBefore + 40);
    assertEquals(xBefore, me(after, ps).get("x").asInt());
    assertEquals(yBefore, me(after, ps).get("y").asInt());
    stopper.join(60_000);
    assertNotEquals(host, awaitHost(staying, room), "room moved off the leaving node");

    // the moving player reconnects to an offered node with its token and is back in the room
    String target = offered.get(0);
    Node other = cluster.stream().filter(n -> n != leaving && n.gameEndpoint().equals(target)).findFirst().orElseThrow();
    WireClient back = client(other);
    back.send("{\"type\":\"hello\",\"name\":\"moving\",\"resume\":\"" + welcome.get("resume").asText() + "\"}");
    assertEquals(pm, back.awaitType("welcome").get("player").asText());
    JsonNode rejoined = back.awaitType("joined");
    assertEquals(room, rejoined.get("room").asText());
    assertTrue(rejoined.get("tick").asLong() > tickBefore);
    stay.await(m -> isState(m) && !me(m, pm).isMissingNode());
  }

  @Test
  void aNewNodeTakesOverSomeRoomsAndTheirPlayersStayInThem() throws Exception {
    List<Node> cluster = startCluster(2);
    int rooms = 12;
    List<WireClient> players = new ArrayList<>();
    for (int i = 0; i < rooms; i++) {
      WireClient c = client(cluster.get(i % 2));
      c.hello("p" + i);
      assertEquals("joined", c.join("spread-" + i, "arena").get("type").asText());
      players.add(c);
    }
    Node newcomer = startNode(freePort());
    List<Node> all = new ArrayList<>(cluster);
    all.add(newcomer);
    awaitUp(all);
    String newAddress = address(newcomer);

    int moved = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (moved == 0 && System.nanoTime() < deadline) {
      Thread.sleep(500); // polling the admin view while sharding rebalances, bounded
      ClusterStatus status = new ClusterStatus(newcomer.system(), Duration.ofSeconds(3));
      for (NodeStatus.Report r : status.reports().toCompletableFuture().get(10, TimeUnit.SECONDS)) {
        if (r.address().equals(newAddress)) moved = r.rooms().size();
      }
    }
    assertTrue(moved > 0, "the new node hosts some rooms");
    // every player still gets states of its room, on its old connection
    for (int i = 0; i < rooms; i++) {
      String room = "spread-" + i;
      JsonNode s = players.get(i).await(m -> isState(m) && room.equals(m.get("room").asText()));
      assertNotNull(s.get("tick"));
    }
    // and the admin view over HTTP lists all three members and, once no room is mid-move, all the rooms
    JsonNode admin = null;
    for (int attempt = 0; attempt < 60; attempt++) {
      admin = dev.tickroom.protocol.Codec.MAPPER.readTree(httpGet(newcomer.managementUri() + "/admin/status"));
      if (admin.get("rooms").size() == rooms) break;
      Thread.sleep(500); // polling the admin view, bounded
    }
    assertEquals(3, admin.get("members").size());
    assertEquals(rooms, admin.get("rooms").size(), admin.toString());
  }

  static String httpGet(String url) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url.replace("//admin", "/admin")))
        .timeout(Duration.ofSeconds(10)).build();
    var resp = client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, resp.statusCode(), resp.body());
    return resp.body();
  }


  /**
   * A leaving node first unbinds its game and HTTP ports, then tells its clients `reconnect` naming the
   * nodes it last saw alive, then hands off and leaves, within 10 s. Clients that keep connecting while it
   * goes are either refused or told `reconnect`: never accepted and then dropped without a word.
   */
  @Test
  void aLeavingNodeUnbindsBeforeItTellsItsClientsWhereToGo() throws Exception {
    List<Node> two = startCluster(2);
    Node staying = two.get(0);
    Node leaving = two.get(1);
    WireClient c = client(leaving);
    c.hello("leaver");
    java.util.concurrent.atomic.AtomicBoolean going = new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    List<String> dropped = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread newcomers = new Thread(() -> {
      while (going.get()) {
        List<String> seen = new ArrayList<>();
        try (java.net.Socket s = new java.net.Socket()) {
          s.connect(new java.net.InetSocketAddress("127.0.0.1", leaving.gameAddress().getPort()), 1000);
          s.setSoTimeout(8000);
          s.getOutputStream().write("{\"type\":\"hello\",\"name\":\"late\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
          java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
          String line;
          while ((line = in.readLine()) != null) seen.add(line);
        } catch (IOException e) {
          seen.add("(" + e + ")");
        }
        if (seen.stream().anyMatch(l -> l.contains("\"reconnect\""))) told.incrementAndGet();
        else if (seen.stream().anyMatch(l -> l.startsWith("{"))) dropped.add(String.join(" | ", seen));
        else refused.incrementAndGet(); // refused, or reset before any line: never served
      }
    }, "newcomers");
    newcomers.start();
    java.util.concurrent.CompletableFuture<Long> stopped = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      long t0 = System.nanoTime();
      leaving.stop();
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    });
    JsonNode reconnect = c.await(m -> "reconnect".equals(m.path("type").asText()), Duration.ofSeconds(10));
    List<String> named = new ArrayList<>();
    reconnect.get("nodes").forEach(n -> named.add(n.asText()));
    assertEquals(List.of(staying.gameEndpoint()), named);
    for (int port : new int[] {leaving.gameAddress().getPort(), leaving.httpAddress().getPort()}) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
        throw new AssertionError("port " + port + " still accepted a connection after reconnect was sent");
      } catch (java.net.ConnectException refusedNow) {
        // unbound before the clients were told
      }
    }
    long stopMs = stopped.get(15, TimeUnit.SECONDS);
    System.out.println("LEAVE stopped in " + stopMs + " ms; newcomers told " + told + ", refused " + refused + ", dropped " + dropped.size());
    going.set(false);
    newcomers.join(10_000);
    assertEquals(List.of(), dropped, "connections accepted while leaving and dropped without reconnect (" + told + " told, " + refused + " refused)");
    assertTrue(stopMs <= 10_000, "a leaving node stops within 10 s, took " + stopMs + " ms");
  }
}
