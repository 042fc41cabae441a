package dev.tickroom.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Reads a process's CPU time and resident memory from Linux {@code /proc}. */
final class ProcStat {
  private static volatile long clockTicks;

  private ProcStat() {}

  /**
   * utime + stime of {@code pid} in clock ticks ({@code /proc/<pid>/stat} fields 14 and 15), or -1 when it
   * cannot be read.
   */
  static long cpuTicks(int pid) {
    try {
      return parseCpuTicks(Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Parses a {@code /proc/<pid>/stat} line; the command name may contain spaces and parentheses. */
  static long parseCpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    // after ") " come fields 3.. : state(3) ppid(4) ... utime(14) stime(15)
    String[] f = stat.substring(close + 2).trim().split("\\s+");
    return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
  }

  /** VmRSS of {@code pid} in MiB, or -1 when it cannot be read. */
  static double rssMb(int pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  /** Clock ticks per second from {@code getconf CLK_TCK}; 100 if that cannot be run. */
  static long clockTicksPerSecond() {
    long t = clockTicks;
    if (t > 0) return t;
    t = 100;
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) t = Long.parseLong(outText);
    } catch (IOException | RuntimeException e) {
      // keep the default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    clockTicks = t;
    return t;
  }

  /** The soft limit on open files of this process from {@code /proc/self/limits}, or -1 if unknown. */
  static long openFilesLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return -1;
  }
}
