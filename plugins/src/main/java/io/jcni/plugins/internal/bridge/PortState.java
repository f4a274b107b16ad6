package io.jcni.plugins.internal.bridge;

import io.jcni.plugins.internal.attach.Failures;
import static io.jcni.plugins.internal.attach.Failures.internal;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.OperState;
import io.jcni.plugins.internal.linux.RtNetlink;
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

  /**
   * Returns the host veth once its operstate is UP; {@code bridge port in error state: <state>} when Go's schedule
   * runs out first, and a timeout or cancellation (code 11) when the operation's {@code deadline} passes or the
   * thread is interrupted during the wait.
   */
  static Link waitUp(RtNetlink host, String hostVeth, Deadline deadline) throws CniException, IOException {
    String waitingFor = "bridge port " + hostVeth + " to come up";
    Link l;
    try {
      l = host.waitOperUp(hostVeth, SCHEDULE, deadline);
    } catch (InterruptedIOException e) {
      throw Deadline.cancelled(waitingFor);
    }
    if (l.operState() != OperState.UP) {
      if (deadline.isExpired()) {
        throw deadline.exceeded(waitingFor);
      }
      throw internal("bridge port in error state: " + l.operState());
    }
    return l;
  }
}
