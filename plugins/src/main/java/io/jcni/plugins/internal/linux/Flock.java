package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * An exclusive {@code flock(2)} lock on a file, held until {@link #close()}.
 *
 * <p>This is the lock Go's host-local takes on {@code <dataDir>/<network>/lock} (go-filemutex): the file is opened
 * {@code O_CREAT|O_RDONLY|O_CLOEXEC} with mode 0750 (here also {@code O_NOFOLLOW}) and locked with {@code LOCK_EX}. Every acquisition opens a fresh
 * descriptor, because flock belongs to an open file description: two threads sharing one descriptor would not
 * exclude each other. A {@code FileChannel.lock()} (fcntl) does not exclude it, so Java code that shares a store
 * with the Go plugin or {@code flock(1)} must use this class.
 */
public final class Flock implements AutoCloseable {
  private static final long MAX_BACKOFF_NANOS = 5_000_000L;

  private final Path file;
  private int fd;

  private Flock(Path file, int fd) {
    this.file = file;
    this.fd = fd;
  }

  /**
   * Opens (creating it if needed) and exclusively locks {@code file}.
   *
   * @param timeout how long to wait for another holder; {@code null} blocks in the kernel until the lock is free
   * @throws LockTimeoutException when {@code timeout} passes before the lock is free
   * @throws InterruptedIOException when the thread is interrupted while polling
   * @throws IOException when the file cannot be opened or locked
   */
  public static Flock acquire(Path file, Duration timeout) throws IOException {
    int fd;
    try {
      // O_NOFOLLOW, unlike go-filemutex: a symlink planted as the lock file must not make us create or lock
      // whatever it points to.
      fd = LibC.open(file.toString(),
          Kernel.O_CREAT | Kernel.O_RDONLY | Kernel.O_CLOEXEC | Kernel.O_NOFOLLOW, 0750);
    } catch (LastErrorException e) {
      throw ErrnoException.of("open " + file, e);
    }
    try {
      if (timeout == null) {
        lockBlocking(fd, file);
      } else {
        lockPolling(fd, file, timeout);
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(fd);
      throw e;
    }
    return new Flock(file, fd);
  }

  private static void lockBlocking(int fd, Path file) throws IOException {
    while (true) {
      try {
        LibC.flock(fd, Kernel.LOCK_EX);
        return;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != Kernel.EINTR) {
          throw ErrnoException.of("flock " + file, e);
        }
      }
    }
  }

  // Polling with LOCK_NB (as go-filemutex's TryLock loop would) is the only way to bound the wait: a blocked flock
  // call cannot be cancelled from Java. The back-off keeps an idle waiter cheap without adding much latency.
  private static void lockPolling(int fd, Path file, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long backoff = 50_000L;
    while (true) {
      try {
        LibC.flock(fd, Kernel.LOCK_EX | Kernel.LOCK_NB);
        return;
      } catch (LastErrorException e) {
        int errno = e.getErrorCode();
        if (errno != Kernel.EAGAIN && errno != Kernel.EINTR) { // EAGAIN is EWOULDBLOCK on Linux
          throw ErrnoException.of("flock " + file, e);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new LockTimeoutException("timed out after " + timeout + " waiting for the lock on " + file);
      }
      LockSupport.parkNanos(Math.min(backoff, left));
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the lock on " + file);
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_NANOS);
    }
  }

  /** The locked file. */
  public Path file() {
    return file;
  }

  /** Releases the lock by closing the descriptor; a second call does nothing. */
  @Override
  public synchronized void close() {
    if (fd >= 0) {
      closeQuietly(fd);
      fd = -1;
    }
  }

  private static void closeQuietly(int fd) {
    try {
      // close(2) drops the flock with the last reference to the open file description; no LOCK_UN needed.
      LibC.close(fd);
    } catch (LastErrorException ignored) {
      // The descriptor is gone either way (Linux never leaves it open after close fails).
    }
  }

  /** Thrown by {@link #acquire} when the lock stays held by someone else for longer than the timeout. */
  public static final class LockTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public LockTimeoutException(String message) {
      super(message);
    }
  }
}
