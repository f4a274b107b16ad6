package io.jcni.demo;

import java.io.PrintStream;

/**
 * The progress line of a bench run: rewritten in place on a terminal (at most ten times a second), one line per
 * finished phase otherwise, nothing when there is no stream.
 */
final class BenchProgress {
  private static final long INTERVAL_NANOS = 100_000_000L;

  private final PrintStream err;
  private final boolean terminal;
  private long last;
  private int width;
  private String finishedPhase;

  BenchProgress(PrintStream err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  /** A progress line for the bench CLI: on stderr, in place when stderr is (likely) a terminal. */
  static BenchProgress stderr() {
    return new BenchProgress(System.err, System.console() != null);
  }

  /** No progress output (tests, or --json piped somewhere). */
  static BenchProgress none() {
    return new BenchProgress(null, false);
  }

  /** Reports {@code done} of {@code total} steps of {@code phase}, e.g. {@code "inline ADD"}. */
  synchronized void show(String phase, int done, int total) {
    if (err == null) {
      return;
    }
    long now = System.nanoTime();
    boolean finished = done >= total;
    if (terminal) {
      if (!finished && now - last < INTERVAL_NANOS) {
        return;
      }
      last = now;
      String line = "jcni bench: " + phase + " " + done + "/" + total;
      err.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
      width = line.length();
      err.flush();
    } else if (finished && !phase.equals(finishedPhase)) {
      finishedPhase = phase;
      err.println("jcni bench: " + phase + " " + done + "/" + total);
    }
  }

  /** Ends the in-place line so that what follows starts on a fresh one. */
  synchronized void done() {
    if (err != null && terminal && width > 0) {
      err.print("\r" + " ".repeat(width) + "\r");
      err.flush();
      width = 0;
    }
  }
}
