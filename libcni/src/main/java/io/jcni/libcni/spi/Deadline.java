package io.jcni.libcni.spi;

import io.jcni.libcni.types.CniException;
import java.time.Duration;

/**
 * The time by which one CNI operation (an ADD, CHECK, DEL, GC or STATUS of a whole chain) must be done, shared by
 * every plugin it runs: exec'd plugins are killed when it passes, and in-process plugins give up their waits
 * (store locks, link states, firewall commands) at the same moment, so one limit covers both modes.
 *
 * <p>Also where waits learn that the calling thread was interrupted: {@link #check} turns a pending interrupt into
 * a cancelled {@link CniException}. Instances are immutable; {@link #none()} never passes.
 */
public final class Deadline {
  private static final Deadline NONE = new Deadline(null, 0);
  /** How long undoing a failed operation may take when the operation itself had no limit. */
  private static final Duration UNDO_WITHOUT_LIMIT = Duration.ofMinutes(1);

  private final Duration budget;
  private final long start;

  private Deadline(Duration budget, long start) {
    this.budget = budget;
    this.start = start;
  }

  /** A deadline that never passes (Go's {@code context.Background()}). */
  public static Deadline none() {
    return NONE;
  }

  /** A deadline {@code budget} from now; {@code null} means none. */
  public static Deadline after(Duration budget) {
    if (budget == null) {
      return NONE;
    }
    if (budget.isNegative()) {
      throw new IllegalArgumentException("negative timeout " + budget);
    }
    return new Deadline(budget, System.nanoTime());
  }

  /**
   * A deadline for undoing the work of this one's operation after it failed, passed or was cancelled: the same
   * budget again, starting now, or one minute when this one has none, so that an undo can never hang for good.
   */
  public Deadline forUndo() {
    return after(budget == null ? UNDO_WITHOUT_LIMIT : budget);
  }

  /** Whether this deadline can pass at all. */
  public boolean isBounded() {
    return budget != null;
  }

  /** The whole budget this deadline was made with, or {@code null} for {@link #none()}. */
  public Duration budget() {
    return budget;
  }

  /** The time left, never negative; {@code null} for {@link #none()}. */
  public Duration remaining() {
    if (budget == null) {
      return null;
    }
    long left = budget.toNanos() - (System.nanoTime() - start);
    return Duration.ofNanos(Math.max(0, left));
  }

  /** Whether the deadline has passed. */
  public boolean isExpired() {
    return budget != null && System.nanoTime() - start >= budget.toNanos();
  }

  /**
   * The shorter of the time left and {@code limit}, for a wait that also has a limit of its own; {@code null} when
   * neither bounds it.
   */
  public Duration limit(Duration limit) {
    Duration left = remaining();
    if (left == null) {
      return limit;
    }
    return limit == null || left.compareTo(limit) < 0 ? left : limit;
  }

  /**
   * Throws when the operation must stop before {@code waitingFor} (e.g. {@code "the lock of store /var/lib/cni/…"}):
   * a cancelled exception when the thread is interrupted (the flag stays set), a timed-out one when the deadline
   * has passed.
   */
  public void check(String waitingFor) throws CniException {
    if (Thread.currentThread().isInterrupted()) {
      throw cancelled(waitingFor);
    }
    if (isExpired()) {
      throw exceeded(waitingFor);
    }
  }

  /** The error of a wait for {@code waitingFor} that the deadline cut short (code 11, {@link CniException#isTimeout()}). */
  public CniException exceeded(String waitingFor) {
    return CniException.timeout(
        "timed out after " + format(budget == null ? Duration.ZERO : budget) + " waiting for " + waitingFor);
  }

  /** The error of a wait for {@code waitingFor} ended by an interrupt (code 11, {@link CniException#isCancelled()}). */
  public static CniException cancelled(String waitingFor) {
    return CniException.cancellation("cancelled while waiting for " + waitingFor);
  }

  /** A duration as people write it: {@code 1.5s}, {@code 250ms}, {@code 2m0s}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return (ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.3g", ms / 1000.0))
          + "s";
    }
    return (ms / 60_000) + "m" + (ms % 60_000) / 1000 + "s";
  }

  @Override
  public String toString() {
    return budget == null ? "no deadline" : "deadline of " + format(budget) + ", " + format(remaining()) + " left";
  }
}
