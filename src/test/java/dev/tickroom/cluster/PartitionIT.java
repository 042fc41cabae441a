package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tickroom.cluster.JarNodes.JarNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A network partition between real node processes. Each node runs in a Linux network namespace of its own
 * that this test makes, with two links: a cluster link to a bridge in a hub namespace (10.213.1.0/24,
 * nothing else on it) and a client link to the test's own namespace (10.213.1N.0/24, one veth pair per
 * node; the test's end of it is the only thing it adds to the host's namespace). The cluster link of one
 * node is then taken down while its clients can still reach it. The majority must keep serving, the
 * cut-off node's rooms must resume on the majority (its players told `reconnect` with the nodes it last
 * saw alive), and no room may advance on both sides for more than 2 s, from the ticks the clients on
 * each side saw. Skipped, with the reason, where namespaces cannot be made (not root, no `ip`).
 */
@Timeout(240)
class PartitionIT {
  static final int ROOMS = 6;
  static final String TAG = Long.toString(ProcessHandle.current().pid() % 10000, 36) + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
  static final String HUB = "trhub-" + TAG;
  static final List<String> made = new CopyOnWriteArrayList<>();
  /** The veth ends this test added to its own (the host's) namespace. */
  static final List<String> links = new CopyOnWriteArrayList<>();
  static JarNodes nodes;
  final List<LiveClient> clients = new CopyOnWriteArrayList<>();
  final ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();

  static String ns(int i) {
    return "trn" + i + "-" + TAG;
  }

  static String clusterIp(int i) {
    return "10.213.1." + (10 + i);
  }

  static String clientIp(int i) {
    return "10.213." + (10 + i) + ".2";
  }

  /** Runs a command, bounded; returns its output or throws with it. */
  static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", cmd));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
    return out;
  }

  @BeforeAll
  static void network() throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "network namespaces need Linux");
    assumeTrue("root".equals(System.getProperty("user.name")), "network namespaces need root (running as " + System.getProperty("user.name") + ")");
    try {
      run("ip", "-V");
    } catch (IOException e) {
      assumeTrue(false, "no `ip` command (iproute2): " + e.getMessage());
    }
    try {
      run("ip", "netns", "add", HUB);
      made.add(HUB);
    } catch (IOException e) {
      assumeTrue(false, "cannot make a network namespace here: " + e.getMessage());
    }
    assertTrue(Files.isRegularFile(JarNodes.JAR), "build the jar first: mvn package");
    run("ip", "-n", HUB, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", HUB, "link", "set", "br0", "up");
    for (int i = 1; i <= 3; i++) {
      String n = ns(i);
      run("ip", "netns", "add", n);
      made.add(n);
      run("ip", "-n", n, "link", "set", "lo", "up");
      // cluster link: node namespace <-> hub bridge; both ends inside the test's namespaces
      String c = "trc" + i + TAG;
      run("ip", "link", "add", c, "type", "veth", "peer", "name", c + "b");
      links.add(c); // until it is moved into the node's namespace
      run("ip", "link", "set", c, "netns", n);
      run("ip", "link", "set", c + "b", "netns", HUB);
      run("ip", "-n", n, "link", "set", c, "name", "cl0");
      run("ip", "-n", n, "addr", "add", clusterIp(i) + "/24", "dev", "cl0");
      run("ip", "-n", n, "link", "set", "cl0", "up");
      run("ip", "-n", HUB, "link", "set", c + "b", "master", "br0");
      run("ip", "-n", HUB, "link", "set", c + "b", "up");
      // client link: the test's namespace <-> node namespace
      String h = "trh" + i + TAG;
      run("ip", "link", "add", h, "type", "veth", "peer", "name", h + "n");
      links.add(h);
      run("ip", "link", "set", h + "n", "netns", n);
      run("ip", "-n", n, "link", "set", h + "n", "name", "pl0");
      run("ip", "-n", n, "addr", "add", clientIp(i) + "/24", "dev", "pl0");
      run("ip", "-n", n, "link", "set", "pl0", "up");
      run("ip", "addr", "add", "10.213." + (10 + i) + ".1/24", "dev", h);
      run("ip", "link", "set", h, "up");
    }
    nodes = new JarNodes(Path.of("target", "partition"));
  }

  @AfterAll
  static void cleanUp() {
    if (nodes != null) nodes.close();
    // only the links and namespaces this test made; a veth end that already went with its namespace is fine
    for (String l : links) {
      try {
        if (run("ip", "-o", "link", "show").contains(" " + l + "@") ) run("ip", "link", "del", l);
      } catch (Exception e) {
        System.err.println("PARTITION could not delete link " + l + ": " + e.getMessage());
      }
    }
    for (String n : made) {
      try {
        run("ip", "netns", "del", n);
      } catch (Exception e) {
        System.err.println("PARTITION could not delete namespace " + n + ": " + e.getMessage());
      }
    }
  }

  @Test
  void theCutOffNodesRoomsResumeOnTheMajorityAndNeverRunOnBothSides() throws Exception {
    int game = 8000;
    int clusterPort = 25520;
    List<String> seeds = List.of(clusterIp(1) + ":" + clusterPort, clusterIp(2) + ":" + clusterPort);
    List<JarNode> three = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      three.add(nodes.start("node-" + i, List.of("ip", "netns", "exec", ns(i)), clientIp(i), game, clusterPort, seeds, Map.of(
          "CLUSTER_HOST", clusterIp(i),
          "GAME_HOST", "0.0.0.0",
          "HTTP_HOST", "0.0.0.0",
          "GAME_ADVERTISED", clientIp(i) + ":" + game,
          "MANAGEMENT_HOST", clientIp(i))));
    }
    for (JarNode n : three) JarNodes.awaitPort(n.gameAddress(), Duration.ofSeconds(90));
    JarNodes.awaitAdmin(three.get(1), a -> JarNodes.upMembers(a) == 3, "3 members up", Duration.ofSeconds(60));

    JarNode cut = three.get(0); // the oldest: it also runs the sharding coordinator
    List<JarNode> majority = three.subList(1, 3);
    List<String> majorityEndpoints = majority.stream().map(JarNode::endpoint).toList();
    String cutAddress = "pekko://tickroom@" + clusterIp(1) + ":" + clusterPort;
    Map<String, List<LiveClient>> byRoom = LiveClient.playInRooms("part", ROOMS, three.stream().map(n -> new String[] {n.name(), n.endpoint()}).toList(), () -> majorityEndpoints, clients, load);
    JsonNode placed = JarNodes.awaitAdmin(majority.get(0), a -> a.get("rooms").size() == ROOMS, "rooms placed", Duration.ofSeconds(30));
    List<String> onCut = new ArrayList<>();
    for (String room : byRoom.keySet()) if (cutAddress.equals(JarNodes.hostOf(placed, room))) onCut.add(room);
    assumeTrue(!onCut.isEmpty(), "sharding placed no room on the node to be cut off: " + placed);
    long playUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
    while (System.nanoTime() < playUntil) Thread.sleep(100); // letting the game run, bounded

    long cutAt = System.currentTimeMillis();
    run("ip", "-n", ns(1), "link", "set", "cl0", "down"); // its clients still reach it over pl0
    List<LiveClient> cutClients = clients.stream().filter(c -> c.name.endsWith(cut.name())).toList();

    // the cut-off node's rooms come back on the majority, for the majority's players, with later ticks
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
    Map<String, Long> backAfter = new LinkedHashMap<>();
    for (String room : onCut) {
      for (LiveClient c : byRoom.get(room)) {
        if (cutClients.contains(c)) continue;
        // states still in flight from the old incarnation arrive within ms of the cut; nothing can be restored
        // within 200 ms (detection alone takes seconds), so the last tick seen by then is the one to beat
        long before = c.tickAt(cutAt + 200);
        LiveClient.Sample fresh;
        while ((fresh = c.firstAfter(cutAt + 200, before)) == null && System.nanoTime() < deadline) Thread.sleep(50); // bounded poll
        assertNotNull(fresh, room + ": " + c.name + " got no state on the majority after the cut");
        backAfter.merge(room, fresh.millis() - cutAt, Math::max);
      }
    }
    // the cut-off node's players were told to reconnect, naming the majority, and are back
    for (LiveClient c : cutClients) {
      while (c.resumes.isEmpty() && System.nanoTime() < deadline) Thread.sleep(50); // bounded poll
      assertFalse(c.resumes.isEmpty(), c.name + " never left the cut-off node");
    }
    long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < settle) Thread.sleep(100); // a few more ticks on the majority, bounded
    long end = System.currentTimeMillis();
    assertTrue(cut.process().waitFor(15, TimeUnit.SECONDS), "the cut-off node downed itself and stopped");

    // per room: when did each side see it advance after the cut
    Map<String, Long> overlap = new LinkedHashMap<>();
    long majorityGap = 0;
    for (Map.Entry<String, List<LiveClient>> e : byRoom.entrySet()) {
      long[] minority = {Long.MAX_VALUE, Long.MIN_VALUE};
      long[] major = {Long.MAX_VALUE, Long.MIN_VALUE};
      for (LiveClient c : e.getValue()) {
        synchronized (c.samples) {
          for (LiveClient.Sample s : c.samples) {
            if (s.millis() < cutAt + 200) continue; // states in flight at the cut
            long[] side = s.via().equals(cut.endpoint()) ? minority : major;
            side[0] = Math.min(side[0], s.millis());
            side[1] = Math.max(side[1], s.millis());
          }
        }
        if (!cutClients.contains(c) && !onCut.contains(e.getKey())) majorityGap = Math.max(majorityGap, c.maxGap(cutAt, end));
      }
      long both = minority[1] == Long.MIN_VALUE || major[1] == Long.MIN_VALUE ? 0
          : Math.max(0, Math.min(minority[1], major[1]) - Math.max(minority[0], major[0]));
      overlap.put(e.getKey(), both);
    }
    List<String> told = new ArrayList<>();
    for (LiveClient c : cutClients) told.add(c.resumes.get(0).told() + " " + c.resumes.get(0).nodes());
    System.out.println("PARTITION cut " + cut.name() + " (hosting " + onCut + ") from the cluster at " + cutAt);
    System.out.println("PARTITION its rooms served on the majority again after (ms): " + backAfter);
    System.out.println("PARTITION time a room advanced on both sides (ms): " + overlap);
    System.out.println("PARTITION longest gap for players of the majority's own rooms: " + majorityGap + " ms");
    System.out.println("PARTITION the cut-off node's players: reconnect told / nodes: " + told);
    System.out.println("PARTITION cut-off node stopped with exit " + cut.process().exitValue());

    overlap.forEach((room, ms) -> assertTrue(ms <= 2000, room + " advanced on both sides for " + ms + " ms"));
    assertTrue(majorityGap <= 3000, "the majority's own rooms stalled for " + majorityGap + " ms");
    for (LiveClient c : cutClients) {
      LiveClient.Resume r = c.resumes.get(0);
      assertTrue(r.told(), c.name + " was not told to reconnect: " + r);
      assertTrue(majorityEndpoints.containsAll(r.nodes().subList(0, Math.min(2, r.nodes().size()))) && !r.nodes().isEmpty(),
          c.name + " was told " + r.nodes());
    }
    for (LiveClient c : clients) assertEquals(List.of(), c.backwards, c.name + ": tick went back without a joined");
  }

  @org.junit.jupiter.api.AfterEach
  void stopClients() {
    load.shutdownNow();
    clients.forEach(LiveClient::close);
  }
}
