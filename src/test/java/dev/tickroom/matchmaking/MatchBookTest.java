package dev.tickroom.matchmaking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tickroom.room.RoomListing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The matchmaker's seat book: fills one room before it opens another, follows the listings, retries elsewhere. */
class MatchBookTest {
  final AtomicInteger n = new AtomicInteger();
  final Supplier<String> ids = () -> "new-" + n.incrementAndGet();

  static RoomListing listing(String room, int players, int max, Map<String, Object> label) {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < players; i++) members.add(room + "-p" + i);
    return new RoomListing(room, "g", members, max, label, "node");
  }

  @Test
  void twentyQuickJoinsAtOnceFillTwoRoomsOfTen() {
    MatchBook book = new MatchBook("g", Map.of(), 10, 5);
    Map<String, Integer> perRoom = new HashMap<>();
    for (int i = 0; i < 20; i++) perRoom.merge(book.pick("p" + i, List.of(), ids).room(), 1, Integer::sum);
    assertEquals(Map.of("new-1", 10, "new-2", 10), perRoom);
  }

  @Test
  void theFullestMatchingRoomWinsAndOtherGamesOrLabelsDoNotCount() {
    MatchBook book = new MatchBook("g", Map.of("mode", "duo"), 10, 5);
    book.listings(List.of(
        listing("a", 3, 10, Map.of("mode", "duo")),
        listing("b", 7, 10, Map.of("mode", "duo", "map", "x")),
        listing("c", 9, 10, Map.of("mode", "solo")),
        new RoomListing("d", "other", List.of("x", "y", "z", "w", "v", "u", "t", "s"), 10, Map.of("mode", "duo"), "node")));
    MatchBook.Pick pick = book.pick("p", List.of(), ids);
    assertEquals("b", pick.room());
    assertFalse(pick.created());
  }

  @Test
  void aListingThatShowsTheReservedPlayerEndsTheReservation() {
    MatchBook book = new MatchBook("g", Map.of(), 2, 5);
    String room = book.pick("p1", List.of(), ids).room();
    assertEquals(1, book.counts().get(room));
    book.listings(List.of(new RoomListing(room, "g", List.of("p1"), 2, Map.of(), "node")));
    assertEquals(1, book.counts().get(room), "p1 counted once: as a member, no longer as a reservation");
    assertEquals(room, book.pick("p2", List.of(), ids).room());
    assertTrue(book.pick("p3", List.of(), ids).created(), "room of 2 is full with p1 and p2");
  }

  @Test
  void aRefusedSeatIsRetriedElsewhereAndAFullRoomCountsAsFull() {
    MatchBook book = new MatchBook("g", Map.of(), 10, 5);
    book.listings(List.of(listing("a", 5, 10, Map.of())));
    assertEquals("a", book.pick("p", List.of(), ids).room());
    book.refused("p", "a", true);
    assertEquals(10, book.counts().get("a"));
    MatchBook.Pick again = book.pick("p", List.of("a"), ids);
    assertTrue(again.created());
    assertEquals("new-1", again.room());
  }

  @Test
  void reservationsAndUnlistedRoomsExpireAndListedRoomsThatEndGo() {
    MatchBook book = new MatchBook("g", Map.of(), 10, 2);
    book.pick("p", List.of(), ids);
    for (int i = 0; i < 3; i++) book.prune();
    assertTrue(book.idle());
    book.listings(List.of(listing("a", 1, 10, Map.of())));
    assertEquals(1, book.rooms());
    book.listings(List.of());
    assertEquals(0, book.rooms());
  }

  @Test
  void aRoomThatEndsIsNotOfferedAgainEvenBeforeAnyListingShowedIt() {
    MatchBook book = new MatchBook("g", Map.of(), 10, 5);
    for (int i = 0; i < 10; i++) book.pick("p" + i, List.of(), ids);
    book.ended("new-1"); // finished before gossip brought its listing here
    MatchBook.Pick again = book.pick("p0", List.of(), ids);
    assertEquals("new-2", again.room(), "not the ended room, whose players are gone");
    book.listings(List.of(listing("new-1", 3, 10, Map.of()))); // a stale replica still lists it
    assertEquals("new-2", book.pick("p1", List.of(), ids).room());
  }

  @Test
  void aRoomsOwnReportCountsItsMembersAndALabelThatStopsMatchingTakesItOut() {
    MatchBook book = new MatchBook("g", Map.of("phase", "waiting"), 4, 5);
    String room = book.pick("p1", List.of(), ids).room();
    book.listing(new RoomListing(room, "g", List.of("p1", "x", "y"), 4, Map.of("phase", "waiting"), "n", Map.of("phase", "waiting")));
    assertEquals(3, book.counts().get(room));
    book.listing(new RoomListing(room, "g", List.of("p1", "x", "y"), 4, Map.of("phase", "racing"), "n", Map.of("phase", "waiting")));
    assertTrue(book.pick("p2", List.of(), ids).created(), "a room whose label no longer matches is not offered");
  }

  @Test
  void aLaggingReplicaDoesNotUndoARoomsOwnReport() {
    MatchBook book = new MatchBook("g", Map.of(), 4, 5);
    String room = book.pick("a", List.of(), ids).room();
    for (String p : List.of("b", "c", "d")) book.pick(p, List.of(), ids);
    book.listing(new RoomListing(room, "g", List.of("a", "b", "c", "d"), 4, Map.of(), "n", Map.of()));
    book.listings(List.of(new RoomListing(room, "g", List.of("a"), 4, Map.of(), "n", Map.of()))); // older
    assertTrue(book.pick("e", List.of(), ids).created(), "the room is full, as it reported itself");
    book.listings(List.of()); // not gossiped yet anywhere: the room's own reports keep it
    assertEquals(1 + 1, book.rooms());
  }

  @Test
  void theSamePlayerAskingAgainHoldsOneSeat() {
    MatchBook book = new MatchBook("g", Map.of(), 10, 5);
    String room = book.pick("p", List.of(), ids).room();
    book.pick("p", List.of(), ids);
    assertEquals(1, book.counts().get(room));
  }

  @Test
  void theLobbyListsLiveRoomsFullestFirstAtMostAHundred() {
    List<RoomListing> all = new ArrayList<>();
    for (int i = 0; i < 150; i++) all.add(new RoomListing("r" + i, i % 2 == 0 ? "g" : "h", List.of(), 10, Map.of(), "node"));
    all.add(listing("full", 10, 10, Map.of()));
    all.add(new RoomListing("dead", "g", List.of("x", "y"), 10, Map.of(), "gone"));
    List<RoomListing> out = RoomDirectory.select(all, null, "node"::equals);
    assertEquals(100, out.size());
    assertEquals("full", out.get(0).room());
    assertTrue(out.stream().noneMatch(l -> l.room().equals("dead")));
    assertEquals(76, RoomDirectory.select(all, "g", "node"::equals).size());
  }

  @Test
  void entityIdsCarryGameAndFilterInOneCanonicalForm() {
    String id = Matchmaker.entityId("dash", Map.of("b", 2, "a", "x"));
    assertEquals("dash\n{\"a\":\"x\",\"b\":2}", id);
    assertEquals("dash", Matchmaker.gameOf(id));
    assertEquals(Map.of("a", "x", "b", 2), Matchmaker.filterOf(id));
  }
}
