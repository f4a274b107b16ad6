package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresExecutable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlockTest {
  @TempDir Path dir;

  private static final Duration SHORT = Duration.ofMillis(200);

  /** Runs {@code flock -n <file> true}: exit 0 when the lock is free, 1 when someone holds it. */
  private static int flockNonBlocking(Path file) throws Exception {
    Process p = new ProcessBuilder("flock", "-n", "-E", "1", file.toString(), "true").inheritIO().start();
    return p.waitFor();
  }

  @Test
  @RequiresExecutable("/usr/bin/flock")
  void createsTheFileAndExcludesFlockCommand() throws Exception {
    Path file = dir.resolve("lock");
    try (Flock lock = Flock.acquire(file, SHORT)) {
      assertTrue(Files.isRegularFile(file));
      assertEquals(1, flockNonBlocking(file), "flock(1) must not get the lock while we hold it");
    }
    assertEquals(0, flockNonBlocking(file), "flock(1) must get the lock after close");
  }

  @Test
  void locksAnExistingFile() throws Exception {
    Path file = Files.writeString(dir.resolve("x"), "content");
    try (Flock lock = Flock.acquire(file, null)) {
      assertEquals(file, lock.file());
    }
    assertEquals("content", Files.readString(file));
  }

  @Test
  @RequiresExecutable("/usr/bin/flock")
  void isExcludedByFlockCommand() throws Exception {
    Path file = dir.resolve("lock");
    // One process (sh exec'ing sleep) holds the descriptor, so killing it really frees the lock.
    Process holder =
        new ProcessBuilder("sh", "-c", "exec 9>>\"$0\"; flock 9; echo locked; exec sleep 60", file.toString())
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());
      assertThrows(Flock.LockTimeoutException.class, () -> Flock.acquire(file, SHORT).close());
    } finally {
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
    // The holder is gone: the blocking form now returns.
    try (Flock lock = Flock.acquire(file, null)) {
      assertEquals(1, flockNonBlocking(file));
    }
  }

  @Test
  void twoThreadsOfOneJvmExcludeEachOther() throws Exception {
    Path file = dir.resolve("lock");
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread owner =
        new Thread(
            () -> {
              try (Flock lock = Flock.acquire(file, null)) {
                held.countDown();
                release.await();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    owner.start();
    try {
      assertTrue(held.await(10, TimeUnit.SECONDS));
      assertThrows(Flock.LockTimeoutException.class, () -> Flock.acquire(file, SHORT).close());
    } finally {
      release.countDown();
      owner.join();
    }
    try (Flock lock = Flock.acquire(file, SHORT)) {
      assertEquals(file, lock.file());
    }
  }

  @Test
  void manyThreadsNeverHoldItTogether() throws Exception {
    Path file = dir.resolve("lock");
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger maxInside = new AtomicInteger();
    int[] counter = {0};
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        boolean blocking = t % 2 == 0;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    try (Flock lock = Flock.acquire(file, blocking ? null : Duration.ofSeconds(30))) {
                      int now = inside.incrementAndGet();
                      maxInside.accumulateAndGet(now, Math::max);
                      counter[0] = counter[0] + 1;
                      inside.decrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, maxInside.get());
    assertEquals(8 * 200, counter[0]);
  }

  @Test
  void missingDirectoryIsAnIoError() {
    IOException e = assertThrows(IOException.class, () -> Flock.acquire(dir.resolve("no/such/lock"), SHORT));
    assertTrue(e.getMessage().contains("no/such/lock"), e.getMessage());
  }
}
