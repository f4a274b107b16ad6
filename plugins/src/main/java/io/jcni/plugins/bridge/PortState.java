package io.jcni.plugins.bridge;

import static io.jcni.plugins.bridge.Failures.internal;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.linux.Link;
import io.jcni.plugins.linux.OperState;
import io.jcni.plugins.linux.RtNetlink;
import java.io.IOException;

/** Waits for the host end of the veth to become operationally up, as Go does before it reports success. */
final class PortState {
  /** Go's schedule: look at once, then after 50, 500, 1000 and 1000 ms. */
  private static final int[] SLEEPS_MS = {0, 50, 500, 1000, 1000};

  private PortState() {}

  /** Returns the host veth once its operstate is UP; {@code bridge port in error state: <state>} otherwise. */
  static Link waitUp(RtNetlink host, String hostVeth) throws CniException, IOException {
    Link l = null;
    for (int sleep : SLEEPS_MS) {
      if (sleep > 0) {
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw internal("interrupted while waiting for " + hostVeth);
        }
      }
      l = host.link(hostVeth);
      if (l.operState() == OperState.UP) {
        return l;
      }
    }
    throw internal("bridge port in error state: " + l.operState());
  }
}
