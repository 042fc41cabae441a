package dev.tickroom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tickroom.Node;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconnect list, the even-size warning and the build's app-version, without a cluster. */
class MembershipTest {
  static final String A = "pekko://tickroom@10.0.0.1:25520";
  static final String B = "pekko://tickroom@10.0.0.2:25520";
  static final String C = "pekko://tickroom@10.0.0.3:25520";
  static final Map<String, String> ENDPOINTS = Map.of(A, "10.0.0.1:8000", B, "10.0.0.2:8000", C, "10.0.0.3:8000");

  @Test
  void reconnectNamesTheNodesLastSeenAliveInOrder() {
    assertEquals(List.of("10.0.0.3:8000", "10.0.0.2:8000"), GameEndpoints.targets(List.of(C, B), ENDPOINTS, A, "10.0.0.1:8000"));
  }

  @Test
  void aNodeThatSawNoOneAliveNamesEveryOtherKnownEndpoint() {
    List<String> targets = GameEndpoints.targets(List.of(), ENDPOINTS, A, "10.0.0.1:8000");
    assertEquals(2, targets.size());
    assertTrue(targets.containsAll(List.of("10.0.0.2:8000", "10.0.0.3:8000")));
  }

  @Test
  void aLoneNodeNamesItselfRatherThanNothing() {
    assertEquals(List.of("10.0.0.1:8000"), GameEndpoints.targets(List.of(), Map.of(A, "10.0.0.1:8000"), A, "10.0.0.1:8000"));
    assertEquals(List.of("10.0.0.1:8000"), GameEndpoints.targets(List.of(), Map.of(), A, "10.0.0.1:8000"));
  }

  @Test
  void membersWithoutAnnouncedEndpointAreSkipped() {
    assertEquals(List.of("10.0.0.2:8000"), GameEndpoints.targets(List.of(C, B), Map.of(B, "10.0.0.2:8000"), A, "10.0.0.1:8000"));
  }

  @Test
  void evenClustersUnderKeepMajorityAreWarnedAbout() {
    assertTrue(MembershipWatch.evenSizeWarning("keep-majority", 2).orElseThrow().contains("lowest address crashes"));
    assertTrue(MembershipWatch.evenSizeWarning("keep-majority", 4).orElseThrow().contains("halves of 2"));
    assertFalse(MembershipWatch.evenSizeWarning("keep-majority", 1).isPresent());
    assertFalse(MembershipWatch.evenSizeWarning("keep-majority", 3).isPresent());
    assertFalse(MembershipWatch.evenSizeWarning("static-quorum", 2).isPresent());
  }

  @Test
  void appVersionComesFromTheBuild() {
    String version = AppVersion.ofBuild();
    assertNotEquals("0.0.0", version, "tickroom-build.properties was not filtered by the build");
    assertFalse(version.contains("$"));
    assertEquals("0.0.0", AppVersion.parse("${project.version}"));
    assertEquals(version, Node.loadConfig().getString("pekko.cluster.app-version"));
  }
}
