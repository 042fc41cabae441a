package dev.tickroom.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** One browser showing one page of a node: the demo or the dashboard. Closing it quits the browser. */
final class Page implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  final String label;
  final ChromeDriver driver;
  private final Path profile;

  Page(String label, ChromeDriver driver, Path profile) {
    this.label = label;
    this.driver = driver;
    this.profile = profile;
  }

  Page open(String url) {
    driver.get(url);
    return this;
  }

  /** Runs a script in the page; see JavascriptExecutor for how the result maps to Java. */
  Object js(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /** Waits until {@code probe} gives something other than null or false, and returns that. */
  <T> T await(String what, Supplier<T> probe) {
    return await(what, WAIT, probe);
  }

  <T> T await(String what, Duration timeout, Supplier<T> probe) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(50))
        .withMessage(() -> label + ": " + what + " " + describe())
        .until(d -> probe.get());
  }

  WebElement element(String id) {
    return driver.findElement(By.id(id));
  }

  String attribute(String id, String name) {
    return element(id).getDomAttribute(name);
  }

  void awaitAttribute(String id, String name, String value) {
    await("#" + id + "[" + name + "=" + value + "]", () -> value.equals(attribute(id, name)));
  }

  void click(String id) {
    element(id).click();
  }

  Actions actions() {
    return new Actions(driver);
  }

  /** The rows of a table body, each as its cells' text. */
  @SuppressWarnings("unchecked")
  List<List<String>> tableRows(String tableId) {
    return (List<List<String>>) js(
        "return [...document.getElementById(arguments[0]).tBodies[0].rows]"
            + ".map(tr => [...tr.cells].map(td => td.textContent));", tableId);
  }

  // ------------------------------------------------------------------ the demo page (index.html)

  /** The demo's window.tickroomDemo.playerId. */
  String playerId() {
    return (String) js("return window.tickroomDemo.playerId;");
  }

  /** A player in window.tickroomDemo.lastState (arena), or null. */
  @SuppressWarnings("unchecked")
  Map<String, Object> player(String id) {
    return (Map<String, Object>) js(
        "const s = window.tickroomDemo.lastState;"
            + "return s && s.players ? s.players[arguments[0]] || null : null;", id);
  }

  /** The demo's current tick, or -1 outside a room. */
  long tick() {
    Object t = js("return window.tickroomDemo.tick;");
    return t == null ? -1 : ((Number) t).longValue();
  }

  /** Text of the #errors panel and of #status, for failure messages. */
  String describe() {
    try {
      return String.valueOf(js(
          "const s = document.getElementById('status'), e = document.getElementById('errors');"
              + "return '[url ' + location.pathname + location.search"
              + " + (s ? '; status ' + s.dataset.state + ': ' + s.textContent : '')"
              + " + (e && e.textContent ? '; errors: ' + e.textContent : '') + ']';"));
    } catch (RuntimeException e) {
      return "[page not readable: " + e.getMessage() + "]";
    }
  }

  void screenshot(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
