package io.jcni.demo;

import java.io.PrintStream;

/** The demos' progress lines: {@code [n/N] what … ok: detail (ms)}, or {@code … FAILED} for a step that failed. */
final class DemoProgress {
  private final PrintStream out;
  private final int steps;
  private int step;
  private long stepStart;
  private boolean lineOpen;

  DemoProgress(PrintStream out, int steps) {
    this.out = out;
    this.steps = steps;
  }

  /** Starts the next step's line. */
  void begin(String what) {
    lineOpen = true;
    step++;
    stepStart = System.nanoTime();
    out.print("[" + step + "/" + steps + "] " + what + " … ");
    out.flush();
  }

  /** Ends the step's line with ok, {@code detail} and the step's duration. */
  void ok(String detail) {
    lineOpen = false;
    long ms = (System.nanoTime() - stepStart) / 1_000_000;
    out.println("ok" + (detail.isEmpty() ? "" : ": " + detail) + " (" + ms + " ms)");
  }

  /** Ends an unfinished line with FAILED. */
  void closeLine() {
    if (lineOpen) {
      out.println("FAILED");
      lineOpen = false;
    }
  }
}
