package io.jcni.libcni.runtime;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per container ID, so that operations on one container never overlap (the spec forbids parallel
 * operations on a container) while different containers proceed in parallel. A lock lives only while someone
 * holds or waits for it, so the table does not grow with every container ever seen.
 */
final class ContainerLocks {
  private final Map<String, Entry> locks = new HashMap<>();

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users;
  }

  /** A held container lock; closing releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Blocks until the lock of {@code containerId} is free, then takes it. */
  Held acquire(String containerId) throws InterruptedException {
    Entry e;
    synchronized (this) {
      e = locks.computeIfAbsent(containerId, k -> new Entry());
      e.users++;
    }
    try {
      e.lock.lockInterruptibly();
    } catch (InterruptedException x) {
      release(containerId, e);
      throw x;
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
  synchronized int active() {
    return locks.size();
  }
}
