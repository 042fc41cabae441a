package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tickroom.cluster.JarNodes.JarNode;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rolling restart of all three nodes under play: 10 arena rooms of 6 players (JSON protocol, 10 inputs a
 * second each, two players of every room on each node). Node 1, 2 and 3 in turn get SIGTERM and are
 * started again on the same ports; the next goes once the new one is Up. No room may be lost (ticks carry
 * on from the hand-off snapshot), no player may go more than 5 s without a state, a player told
 * `reconnect` must be back in its room within 3 s, no client may get an error, and each node must stop
 * within 10 s. Prints the figures.
 */
@Timeout(300)
class RollingRestartIT {
  static final int ROOMS = 10;
  static final int PLAYERS = 6;
  JarNodes nodes;
  final List<LiveClient> clients = new CopyOnWriteArrayList<>();
  final ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stopAll() {
    load.shutdownNow();
    clients.forEach(LiveClient::close);
    if (nodes != null) nodes.close();
  }

  @Test
  void restartingEveryNodeInTurnLosesNoRoomAndNoPlayer() throws Exception {
    assertTrue(Files.isRegularFile(JarNodes.JAR), "build the jar first: mvn package");
    nodes = new JarNodes(Path.of("target", "rolling"));
    int[] game = new int[3];
    int[] cluster = new int[3];
    for (int i = 0; i < 3; i++) {
      game[i] = JarNodes.freePort();
      cluster[i] = JarNodes.freePort();
    }
    List<String> seeds = List.of("127.0.0.1:" + cluster[0], "127.0.0.1:" + cluster[1]);
    JarNode[] current = new JarNode[3];
    for (int i = 0; i < 3; i++) current[i] = nodes.start("node-" + (i + 1), List.of(), "127.0.0.1", game[i], cluster[i], seeds, Map.of());
    for (JarNode n : current) JarNodes.awaitPort(n.gameAddress(), Duration.ofSeconds(90));
    JarNodes.awaitAdmin(current[0], a -> JarNodes.upMembers(a) == 3, "3 members up", Duration.ofSeconds(60));
    List<String> all = List.of("127.0.0.1:" + game[0], "127.0.0.1:" + game[1], "127.0.0.1:" + game[2]);

    Map<String, List<LiveClient>> byRoom = LiveClient.playInRooms("roll", ROOMS, java.util.stream.IntStream.range(0, PLAYERS).mapToObj(p -> new String[] {"p" + p, all.get(p % 3)}).toList(), () -> all, clients, load);
    long playUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
    while (System.nanoTime() < playUntil) Thread.sleep(100); // letting the game run, bounded

    long from = System.currentTimeMillis();
    Map<String, Long> ticksBefore = new LinkedHashMap<>();
    for (Map.Entry<String, List<LiveClient>> e : byRoom.entrySet()) ticksBefore.put(e.getKey(), e.getValue().get(0).tickAt(from));
    List<String> figures = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JarNode old = current[i];
      JarNode witness = current[(i + 1) % 3];
      long t0 = System.nanoTime();
      boolean stopped = JarNodes.terminate(old, Duration.ofSeconds(20));
      long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertTrue(stopped, old.name() + " did not stop within 20 s");
      JarNode fresh = nodes.start("node-" + (i + 1) + "-restarted", List.of(), "127.0.0.1", game[i], cluster[i], seeds, Map.of());
      JarNodes.awaitAdmin(witness, a -> JarNodes.upMembers(a) == 3 && JarNodes.isUp(a, fresh.address()),
          fresh.name() + " Up", Duration.ofSeconds(60));
      long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      current[i] = fresh;
      figures.add(old.name() + ": stopped in " + stopMs + " ms (exit " + old.process().exitValue() + "), restarted and Up after " + upMs + " ms");
      assertTrue(stopMs <= 10_000, old.name() + " took " + stopMs + " ms to stop (limit 10 s)");
    }
    long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (System.nanoTime() < settle) Thread.sleep(100); // the last moves settle, bounded
    long to = System.currentTimeMillis();

    long maxGap = 0;
    String gapOf = "";
    List<Long> resumeMs = new ArrayList<>();
    long maxLost = 0;
    int errors = 0;
    for (LiveClient c : clients) {
      long g = c.maxGap(from, to);
      if (g > maxGap) {
        maxGap = g;
        gapOf = c.name;
      }
      for (LiveClient.Resume r : c.resumes) if (r.told()) resumeMs.add(r.firstStateMillis() - r.atMillis());
      for (long l : c.lostTicks) maxLost = Math.max(maxLost, l);
      errors += c.errors.size();
    }
    resumeMs.sort(null);
    for (LiveClient c : clients) {
      for (LiveClient.Resume r : c.resumes) {
        if (r.firstStateMillis() - r.atMillis() > 3000) System.out.println("ROLLING slow resume " + c.name + ": " + r);
      }
      long g = c.maxGap(from, to);
      if (g > 5000) System.out.println("ROLLING long gap " + c.name + " " + g + " ms; resumes " + c.resumes);
    }
    figures.forEach(f -> System.out.println("ROLLING " + f));
    System.out.println("ROLLING longest time a player went without a state: " + maxGap + " ms (" + gapOf + ")");
    System.out.println("ROLLING reconnect -> first state in the room: " + resumeMs.size() + " resumes, median "
        + (resumeMs.isEmpty() ? -1 : resumeMs.get(resumeMs.size() / 2)) + " ms, max "
        + (resumeMs.isEmpty() ? -1 : resumeMs.get(resumeMs.size() - 1)) + " ms");
    System.out.println("ROLLING most play a restored room lost: " + maxLost * FailoverIT.TICK_MS + " ms; errors to clients: " + errors);

    for (Map.Entry<String, List<LiveClient>> e : byRoom.entrySet()) {
      long after = e.getValue().get(0).tickAt(to);
      assertTrue(after > ticksBefore.get(e.getKey()), e.getKey() + " lost: tick " + ticksBefore.get(e.getKey()) + " before, " + after + " after");
    }
    assertTrue(maxGap <= 5000, gapOf + " went " + maxGap + " ms without a state (limit 5 s)");
    assertTrue(resumeMs.isEmpty() || resumeMs.get(resumeMs.size() - 1) <= 3000, "a resume took " + resumeMs + " ms (limit 3 s)");
    assertTrue(maxLost * FailoverIT.TICK_MS <= 1000, "a restored room lost " + maxLost + " ticks");
    for (LiveClient c : clients) assertEquals(List.of(), c.errors, c.name + " got errors");
    for (LiveClient c : clients) assertEquals(List.of(), c.backwards, c.name + ": tick went back without a joined");
  }
}
