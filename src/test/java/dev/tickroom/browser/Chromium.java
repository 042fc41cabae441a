package dev.tickroom.browser;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver. Both paths are given to Selenium
 * explicitly, so Selenium Manager never runs and nothing is ever downloaded.
 */
final class Chromium {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /** Profiles, driver logs and screenshots go under Maven's target/. */
  static final Path OUT = Path.of("target").toAbsolutePath();
  static final Path SCREENSHOTS = OUT.resolve("screenshots");

  /**
   * These tests use WebDriver only, never DevTools, so no selenium-devtools module is on the classpath; keep
   * Selenium from warning at each launch that it has none for this Chromium version.
   */
  private static final Logger CDP_VERSION_LOG = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_VERSION_LOG.setLevel(Level.SEVERE);
  }

  private Chromium() {}

  /** Why browser tests cannot run on this machine, or null when they can. */
  static String missing() {
    List<String> gone = new ArrayList<>();
    if (!Files.isExecutable(BROWSER)) gone.add(BROWSER + " (Debian package chromium)");
    if (!Files.isExecutable(DRIVER)) gone.add(DRIVER + " (Debian package chromium-driver)");
    if (gone.isEmpty()) return null;
    return "Browser tests skipped: missing " + String.join(" and ", gone)
        + ". Install them with `apt-get update && apt-get install -y chromium chromium-driver`"
        + " (as root; .ci/run does this when either is missing).";
  }

  /** A fresh browser with its own new profile, named {@code label} in its profile and log file names. */
  static Page launch(String label) throws IOException {
    Path profile = Files.createTempDirectory(dir("browser-profiles"), label + "-");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .withLogFile(new File(dir("browser-logs").toFile(), profile.getFileName() + "-chromedriver.log"))
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // a game page keeps its timers and frames at full speed
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--window-size=1280,1000",
        "--user-data-dir=" + profile);
    try {
      return new Page(label, new ChromeDriver(service, options), profile);
    } catch (RuntimeException e) {
      service.stop();
      Page.deleteTree(profile);
      throw e;
    }
  }

  static Path dir(String name) throws IOException {
    return Files.createDirectories(OUT.resolve(name));
  }
}
