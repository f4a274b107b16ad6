package io.jcni.plugins.bridge;

import io.jcni.plugins.attach.Failures;
import static io.jcni.plugins.attach.Failures.internal;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.linux.Link;
import io.jcni.plugins.linux.OperState;
import io.jcni.plugins.linux.RtNetlink;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;

/** Waits for the host end of the veth to become operationally up, as Go does before it reports success. */
final class PortState {
  /** Go's schedule: look at once, then after 50, 500, 1000 and 1000 ms. */
  static final List<Duration> SCHEDULE = List.of(Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofSeconds(1));

  private PortState() {}

  /** Returns the host veth once its operstate is UP; {@code bridge port in error state: <state>} otherwise. */
  static Link waitUp(RtNetlink host, String hostVeth) throws CniException, IOException {
    Link l;
    try {
      l = host.waitOperUp(hostVeth, SCHEDULE);
    } catch (InterruptedIOException e) {
      throw internal("interrupted while waiting for " + hostVeth);
    }
    if (l.operState() != OperState.UP) {
      throw internal("bridge port in error state: " + l.operState());
    }
    return l;
  }
}
