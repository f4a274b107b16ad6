package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The wait for this process's lock of a table ends with the operation's deadline or an interrupt (code 11). */
class IptablesTableLockTest {

  @Test
  void aWaitEndsAtTheDeadlineOrOnInterrupt() throws Exception {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService holder = Executors.newSingleThreadExecutor();
    try {
      Future<?> h = holder.submit(() -> IptablesTable.locked("nat", Deadline.none(), () -> {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return null;
      }));
      held.await();
      CniException timeout = assertThrows(CniException.class,
          () -> IptablesTable.locked("nat", Deadline.after(Duration.ofMillis(50)), () -> null));
      assertTrue(timeout.isTimeout(), timeout.getMessage());
      assertEquals(11, timeout.code());
      assertTrue(timeout.getMessage().contains("iptables nat table"), timeout.getMessage());
      // the other table is free
      assertEquals("ok", IptablesTable.locked("filter", Deadline.after(Duration.ofMillis(50)), () -> "ok"));

      AtomicReference<CniException> cancelled = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          IptablesTable.locked("nat", Deadline.none(), () -> null);
        } catch (CniException e) {
          cancelled.set(e);
        }
      });
      waiter.start();
      Thread.sleep(50);
      waiter.interrupt();
      waiter.join(5000);
      assertTrue(cancelled.get() != null && cancelled.get().isCancelled(), String.valueOf(cancelled.get()));
      release.countDown();
      h.get();
      assertEquals("ok", IptablesTable.locked("nat", Deadline.after(Duration.ofMillis(50)), () -> "ok"));
    } finally {
      release.countDown();
      holder.shutdownNow();
    }
  }
}
