package io.jcni.libcni.internal.runtime;

import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per container ID, so that operations on one container never overlap (the spec forbids parallel
 * operations on a container) while different containers proceed in parallel. A lock lives only while someone
 * holds or waits for it, so the table does not grow with every container ever seen. {@code CniRuntime} and
 * {@code jcni serve} each keep one.
 */
public final class ContainerLocks {
  private final Map<String, Entry> locks = new HashMap<>();

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users;
  }

  /** A held container lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits until the lock of {@code containerId} is free, then takes it.
   *
   * @throws CniException code 11 when {@code wait} passes first ({@link CniException#isTimeout()}) or the thread is
   *     interrupted ({@link CniException#isCancelled()}, the flag stays set), naming the container
   */
  public Held acquire(String containerId, Deadline wait) throws CniException {
    Entry e;
    synchronized (this) {
      e = locks.computeIfAbsent(containerId, k -> new Entry());
      e.users++;
    }
    String what = "another operation on container " + containerId + " to finish";
    try {
      Duration left = wait.remaining();
      boolean got;
      if (left == null) {
        e.lock.lockInterruptibly();
        got = true;
      } else {
        got = e.lock.tryLock(left.toNanos(), TimeUnit.NANOSECONDS);
      }
      if (!got) {
        release(containerId, e);
        throw wait.exceeded(what);
      }
    } catch (InterruptedException x) {
      release(containerId, e);
      Thread.currentThread().interrupt();
      throw Deadline.cancelled(what);
    }
    return () -> {
      e.lock.unlock();
      release(containerId, e);
    };
  }

  private synchronized void release(String containerId, Entry e) {
    if (--e.users == 0) {
      locks.remove(containerId, e);
    }
  }

  /** How many containers have a lock held or awaited right now. */
  public synchronized int active() {
    return locks.size();
  }
}
