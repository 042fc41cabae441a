package dev.tickroom.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProcStatTest {
  @Test
  void parsesUtimePlusStimeEvenWithSpacesInTheCommandName() {
    String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 53 0 0 0 1500 250 0 0 20 0 40 0 123 0 0";
    assertEquals(1750, ProcStat.parseCpuTicks(stat));
  }

  @Test
  void readsThisProcess() {
    int pid = (int) ProcessHandle.current().pid();
    assertTrue(ProcStat.cpuTicks(pid) >= 0);
    assertTrue(ProcStat.rssMb(pid) > 1);
    assertTrue(ProcStat.clockTicksPerSecond() > 0);
    assertEquals(-1, ProcStat.cpuTicks(Integer.MAX_VALUE));
  }
}
