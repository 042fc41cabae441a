package dev.tickroom.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.ConfigFactory;
import dev.tickroom.Node;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/**
 * The web demo and the dashboard in real headless Chromium browsers against an in-process node: what a
 * person sees and does, from key presses and clicks to what the other player's page shows.
 *
 * <p>Skipped, with how to install them, when Debian's chromium or chromedriver is missing. Every page's
 * last look is saved under target/screenshots/ as {@code <test>-<page>.png}.
 */
@Timeout(120)
class BrowserTest {
  static final String MISSING = Chromium.missing();
  static Node node;
  static String base;
  /** The management port (dashboard, /api/status), without a trailing slash. */
  static String ops;

  private final List<Page> pages = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    if (MISSING != null) {
      System.err.println(MISSING);
      return;
    }
    node = Node.start(ConfigFactory.load("application-test"), Duration.ofSeconds(30));
    base = "http://127.0.0.1:" + node.httpAddress().getPort();
    String management = node.managementUri();
    ops = management.endsWith("/") ? management.substring(0, management.length() - 1) : management;
  }

  /** Each test skips, with how to install them, when there is no browser (rather than vanishing from the count). */
  @BeforeEach
  void needsBrowser() {
    assumeTrue(MISSING == null, MISSING);
  }

  @AfterAll
  static void stop() {
    if (node != null) node.stop();
  }

  /** Screenshots of every page as the test left them (all before any page closes), then quits them all. */
  @AfterEach
  void closePages(TestInfo test) throws Exception {
    String name = test.getTestMethod().map(m -> m.getName()).orElse("test");
    Exception first = null;
    for (Page page : pages) {
      try {
        page.screenshot(Chromium.SCREENSHOTS.resolve(name + "-" + page.label + ".png"));
      } catch (Exception e) {
        if (first == null) first = e;
      }
    }
    for (Page page : pages) {
      try {
        page.close();
      } catch (Exception e) {
        if (first == null) first = e;
      }
    }
    pages.clear();
    if (first != null) throw first;
  }

  /** A browser on the demo page that has joined {@code room} through the ?autoconnect link. */
  private Page demo(String label, String name, String room, String game) throws Exception {
    Page page = launch(label).open(base + "/?name=" + name + "&room=" + room + "&game=" + game + "&autoconnect=1");
    page.awaitAttribute("status", "data-state", "in-room");
    assertEquals(name, page.element("name").getDomProperty("value"));
    assertEquals(room, page.js("return window.tickroomDemo.room;"));
    assertEquals(game, page.js("return window.tickroomDemo.game;"));
    assertNotNull(page.playerId(), "the demo knows its player id once in the room");
    return page;
  }

  private Page launch(String label) throws Exception {
    Page page = Chromium.launch(label);
    pages.add(page);
    return page;
  }

  private static int coordinate(Map<String, Object> player, String axis) {
    return ((Number) player.get(axis)).intValue();
  }

  // ------------------------------------------------------------------ arena

  @Test
  void arrowKeysInOnePageMoveThatPlayerInTheOtherPage() throws Exception {
    Page a = demo("ada", "ada", "browser-arena", "arena");
    Page b = demo("bob", "bob", "browser-arena", "arena");
    String ada = a.playerId();
    String bob = b.playerId();
    assertNotEquals(ada, bob);
    for (Page p : List.of(a, b)) {
      p.await("both players in the state", () -> p.player(ada) != null && p.player(bob) != null);
      p.await("both players on the scoreboard", () ->
          p.driver.findElements(By.cssSelector("#scoreboard li[data-player]")).size() == 2);
      assertTrue(p.element("canvas").isDisplayed(), p.label + ": the arena canvas is shown");
    }

    Map<String, Object> start = b.player(ada);
    int x0 = coordinate(start, "x");
    int y0 = coordinate(start, "y");
    boolean right = x0 <= 700; // room to move 150 units
    Keys key = right ? Keys.ARROW_RIGHT : Keys.ARROW_LEFT;

    a.actions().keyDown(key).perform();
    try {
      b.await("ada moving " + (right ? "right" : "left") + " from x=" + x0 + " as seen in bob's page", () -> {
        int x = coordinate(b.player(ada), "x");
        return right ? x >= x0 + 150 : x <= x0 - 150;
      });
    } finally {
      a.actions().keyUp(key).perform();
    }
    assertEquals(y0, coordinate(b.player(ada), "y"), "a horizontal move keeps y");

    // the key-up stops her: once the server has applied ada's last input, bob sees her stand still
    long stopSeq = ((Number) a.js("return window.tickroomDemo.client.seq;")).longValue();
    a.await("the server acknowledging input " + stopSeq, () ->
        ((Number) a.js("return window.tickroomDemo.client.ack;")).longValue() >= stopSeq);
    int stopX = coordinate(b.player(ada), "x");
    long stopTick = b.tick();
    b.await("ten more ticks", () -> b.tick() >= stopTick + 10);
    assertEquals(stopX, coordinate(b.player(ada), "x"), "ada stands still after the key-up");
    assertTrue(right ? stopX >= x0 + 150 : stopX <= x0 - 150, "ada went " + (right ? "right" : "left") + ": " + x0 + " -> " + stopX);

    // bob's canvas draws her where the state says, in her colour rather than the background's
    Map<String, Object> drawn = b.await("bob's page drawing ada at x=" + stopX, () -> {
      @SuppressWarnings("unchecked")
      Map<String, Object> probe = (Map<String, Object>) b.js(
          "const p = window.tickroomDemo.rendered && window.tickroomDemo.rendered.players[arguments[0]];"
              + "if (!p) return null;"
              + "const c = document.getElementById('canvas'), k = c.width / 1000;"
              + "const d = c.getContext('2d').getImageData(Math.round(p.x * k), Math.round(p.y * k), 1, 1).data;"
              + "return {x: p.x, y: p.y, chroma: Math.max(d[0], d[1], d[2]) - Math.min(d[0], d[1], d[2])};", ada);
      return probe != null && coordinate(probe, "x") == stopX ? probe : null;
    });
    assertEquals(y0, coordinate(drawn, "y"));
    assertTrue(((Number) drawn.get("chroma")).intValue() > 100,
        "the pixel at ada's position is a player's colour, not the grey arena: " + drawn);

    for (Page p : List.of(a, b)) assertEquals("", p.element("errors").getText(), p.label + " shows no errors");
  }

  // ------------------------------------------------------------------ tictactoe

  @Test
  void ticTacToePlayedToAWinByClickingCells() throws Exception {
    Page x = demo("xena", "xena", "browser-ttt", "tictactoe");
    Page o = demo("otto", "otto", "browser-ttt", "tictactoe");
    x.awaitAttribute("ttt-status", "data-turn", "me");
    o.awaitAttribute("ttt-status", "data-turn", "opponent");
    assertTrue(x.element("ttt-status").getText().startsWith("You are X."), x.element("ttt-status").getText());
    assertTrue(o.element("ttt-status").getText().startsWith("You are O."), o.element("ttt-status").getText());

    // a move out of turn is refused and shown, and changes nothing
    o.click("cell-4");
    o.awaitAttribute("ttt-error", "data-code", "not_your_turn");
    assertEquals("", o.attribute("cell-4", "data-mark"));

    // X takes the top row while O plays the middle row
    int[] moves = {0, 3, 1, 4, 2};
    for (int i = 0; i < moves.length; i++) {
      Page mover = i % 2 == 0 ? x : o;
      String mark = i % 2 == 0 ? "X" : "O";
      String cell = "cell-" + moves[i];
      mover.awaitAttribute("ttt-status", "data-turn", "me");
      mover.click(cell);
      for (Page p : List.of(x, o)) p.awaitAttribute(cell, "data-mark", mark);
    }

    x.awaitAttribute("ttt-status", "data-winner", "me");
    o.awaitAttribute("ttt-status", "data-winner", "opponent");
    assertEquals("You are X. You win!", x.element("ttt-status").getText());
    assertEquals("You are O. X wins.", o.element("ttt-status").getText());
    List<String> board = List.of("X", "X", "X", "O", "O", "", "", "", "");
    for (Page p : List.of(x, o)) {
      for (int i = 0; i < 9; i++) {
        assertEquals(board.get(i), p.attribute("cell-" + i, "data-mark"), p.label + " cell " + i);
        assertEquals(board.get(i), p.element("cell-" + i).getText(), p.label + " cell " + i + " text");
        assertEquals(i < 3, p.element("cell-" + i).getDomProperty("className").contains("win"), p.label + " cell " + i + " highlight");
      }
      assertEquals(x.playerId(), p.js("return window.tickroomDemo.lastState.winner;"));
      assertEquals(Map.of(x.playerId(), "X", o.playerId(), "O"), p.js("return window.tickroomDemo.lastState.marks;"));
    }
  }

  // ------------------------------------------------------------------ dashboard

  @Test
  void dashboardShowsTheRoomWithBothPlayers() throws Exception {
    String room = "browser-dash";
    demo("ada", "ada", room, "arena");
    demo("bob", "bob", room, "arena");
    Page dash = launch("dashboard").open(ops + "/dashboard.html"); // the management port, not the public one

    List<String> row = dash.await("the rooms table listing " + room + " with 2 players", () -> {
      Optional<List<String>> found = dash.tableRows("rooms").stream().filter(r -> r.get(0).equals(room)).findFirst();
      return found.filter(r -> r.get(2).equals("2")).orElse(null);
    });
    assertEquals("arena", row.get(1));
    assertTrue(Long.parseLong(row.get(3).replaceAll("\\D", "")) > 0, "the room is ticking: " + row);
    String self = (String) dash.js("return window.tickroomDashboard.last.node;");
    assertTrue(row.get(4).startsWith(self), "the room's node: " + row);

    List<List<String>> members = dash.tableRows("members");
    assertEquals(1, members.size(), "one node: " + members);
    assertEquals(List.of(self, "Up", node.gameEndpoint()), members.get(0));

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rooms = (List<Map<String, Object>>) dash.js("return window.tickroomDashboard.last.rooms;");
    assertTrue(rooms.stream().anyMatch(r -> room.equals(r.get("room")) && ((Number) r.get("players")).intValue() == 2),
        "/api/status as the dashboard last read it: " + rooms);
    List<String> ws = dash.tableRows("connections").stream().filter(r -> r.get(0).equals("ws")).findFirst().orElseThrow();
    assertTrue(Integer.parseInt(ws.get(1)) >= 2, "open WebSocket connections: " + ws);
    assertTrue(dash.element("updated").getText().startsWith("updated "), dash.element("updated").getText());
    assertFalse(dash.element("updated").getDomProperty("className").contains("stale"), "the status is fresh");
  }

  // ------------------------------------------------------------------ chat

  @Test
  void chatFromOnePageAppearsInTheOther() throws Exception {
    Page a = demo("ada", "ada", "browser-chat", "arena");
    Page b = demo("bob", "bob", "browser-chat", "arena");
    String ada = a.playerId();
    String bob = b.playerId();
    b.await("bob's page knowing ada's name", () -> b.player(ada) != null);
    a.await("ada's page knowing bob's name", () -> a.player(bob) != null);

    // ada uses the Send button; the text is shown as text, never as markup
    String hello = "héllo bob <b>not bold</b>";
    a.element("chat-input").sendKeys(hello);
    a.click("chat-send");
    String line = "ada: " + hello;
    b.await("ada's line in bob's chat", () -> chatLines(b, ada).contains(line));
    a.await("ada's own line in her chat", () -> chatLines(a, ada).contains("you: " + hello));
    assertEquals("", a.element("chat-input").getDomProperty("value"), "the input is cleared once sent");
    assertEquals(0L, b.js("return document.querySelectorAll('#chat-log b').length;"), "no markup injected");

    // bob answers with Enter
    b.element("chat-input").sendKeys("hi ada" + Keys.ENTER);
    a.await("bob's answer in ada's chat", () -> chatLines(a, bob).contains("bob: hi ada"));
  }

  @SuppressWarnings("unchecked")
  private static List<String> chatLines(Page page, String from) {
    return (List<String>) page.js(
        "return [...document.querySelectorAll('#chat-log li')].filter(li => li.dataset.from === arguments[0])"
            + ".map(li => li.textContent);", from);
  }
}
