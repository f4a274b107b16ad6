package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.OperState;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The wait for the host veth to come up, bounded by the operation's deadline. */
@RequiresCapabilities
class PortStateTest {

  /** A veth whose host end is up and whose peer stays down, so its operstate never becomes UP. */
  private interface WithDownPort {
    void run(RtNetlink rt) throws Exception;
  }

  private static void withDownPort(WithDownPort body) throws Exception {
    try (TestNetns t = TestNetns.create("ps");
        NetNs ns = NetNs.open(Path.of(t.path()));
        RtNetlink rt = RtNetlink.open(ns)) {
      rt.createVeth(io.jcni.plugins.internal.linux.VethSpec.of("jt-ps0", "jt-ps1"));
      rt.setUp("jt-ps0");
      body.run(rt);
    }
  }

  @Test
  void theDeadlineCutsTheWaitShortWithATimeout() throws Exception {
    withDownPort(rt -> {
      Deadline deadline = Deadline.after(Duration.ofMillis(150));
      CniException e = assertThrows(CniException.class, () -> PortState.waitUp(rt, "jt-ps0", deadline));
      assertTrue(e.isTimeout(), e.getMessage());
      assertEquals(11, e.code());
      assertEquals("timed out after 150ms waiting for bridge port jt-ps0 to come up", e.getMessage());
      assertEquals(OperState.LOWERLAYERDOWN, rt.link("jt-ps0").operState());
    });
  }

  @Test
  void anInterruptedWaitIsACancellation() throws Exception {
    withDownPort(rt -> {
      Thread.currentThread().interrupt();
      try {
        CniException e = assertThrows(CniException.class, () -> PortState.waitUp(rt, "jt-ps0", Deadline.none()));
        assertTrue(e.isCancelled(), e.getMessage());
        assertEquals("cancelled while waiting for bridge port jt-ps0 to come up", e.getMessage());
      } finally {
        Thread.interrupted();
      }
    });
  }

  @Test
  void withoutADeadlineGoSchedulesErrorStands() throws Exception {
    withDownPort(rt -> {
      CniException e = assertThrows(CniException.class, () -> PortState.waitUp(rt, "jt-ps0", Deadline.none()));
      assertEquals("bridge port in error state: LOWERLAYERDOWN", e.getMessage());
      assertEquals(999, e.code());
    });
  }
}
