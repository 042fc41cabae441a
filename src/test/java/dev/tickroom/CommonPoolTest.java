package dev.tickroom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import scala.concurrent.Promise;
import scala.jdk.javaapi.FutureConverters;

/**
 * On a 2-core machine a continuation on one of Pekko's CompletionStages must not start a thread of its own
 * (Main.commonPoolOfAtLeastTwo). Each case runs in a fresh JVM that believes it has 2 cores, because the
 * JVM reads the pool size once.
 */
class CommonPoolTest {

  @Test
  void aContinuationRunsOnThePoolOnceMainHasSizedIt() throws Exception {
    assertStarts("ForkJoinPool.commonPool-worker", probe("tuned"));
  }

  @Test
  void withoutItEveryContinuationGetsANewThread() throws Exception {
    // what a 2-core JVM does by default: the reason for the setting
    assertStarts("Thread-", probe("default"));
  }

  @Test
  void anOperatorsOwnValueIsKept() throws Exception {
    assertStarts("Thread-", probe("tuned", "-D" + Main.COMMON_POOL_PARALLELISM + "=1"));
  }

  private static void assertStarts(String prefix, String thread) {
    assertTrue(thread.startsWith(prefix), "continuation ran on " + thread + ", expected " + prefix + "...");
  }

  private static String probe(String mode, String... jvmFlags) throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new java.util.ArrayList<>(List.of(java.toString(), "-XX:ActiveProcessorCount=2"));
    cmd.addAll(List.of(jvmFlags));
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), mode));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "probe JVM finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** Prints the name of the thread that ran a thenApply on a Scala-backed stage, as Pekko's Java API returns. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      if (args[0].equals("tuned")) Main.commonPoolOfAtLeastTwo();
      Promise<Integer> promise = scala.concurrent.Promise$.MODULE$.apply();
      CompletionStage<String> ran = FutureConverters.asJava(promise.future()).thenApply(x -> Thread.currentThread().getName());
      promise.success(1);
      System.out.println(ran.toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
  }
}
