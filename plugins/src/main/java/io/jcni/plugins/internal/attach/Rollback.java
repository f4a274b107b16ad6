package io.jcni.plugins.internal.attach;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The undo steps of an ADD in progress: each step that created something registers how to remove it, and a failed
 * ADD runs them newest first, so that nothing the ADD made outlives it (Go leaves the veth behind, plugins#29).
 */
public final class Rollback {
  /** One undo step. */
  @FunctionalInterface
  public interface Step {
    void undo() throws Exception;
  }

  private final Deque<Step> steps = new ArrayDeque<>();

  public void add(Step step) {
    steps.push(step);
  }

  /**
   * Runs every step newest first; a step that fails is attached to {@code cause} and the rest still run. The
   * interrupt flag is cleared meanwhile and restored afterwards: a cancelled ADD must still be undone.
   */
  public void run(Throwable cause) {
    boolean interrupted = Thread.interrupted();
    try {
      while (!steps.isEmpty()) {
        try {
          steps.pop().undo();
        } catch (Exception e) {
          cause.addSuppressed(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
