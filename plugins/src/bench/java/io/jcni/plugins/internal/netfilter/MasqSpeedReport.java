package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Prints how long setup and teardown take and how many programs they start (nothing is asserted about time).
 * Each program runs through {@code ip netns exec}, which adds its own start-up to every launch.
 */
class MasqSpeedReport {
  private static final int ROUNDS = 20;

  @FunctionalInterface
  private interface Step {
    void run(int round) throws Exception;
  }

  @Test
  @RequiresCapabilities
  void report() throws Exception {
    try (TestNetns ns = TestNetns.create("fwspd")) {
      NetnsExec exec = new NetnsExec(ns.name());
      for (IpMasqBackend b : IpMasqBackend.values()) {
        IpMasq masq = new IpMasq(b, exec);
        List<IpNet> ips = Cidrs.of("10.250.12.2/24");
        measure(exec, b + " setup v4", r -> masq.setup("speed", "c" + r, "eth0", ips));
        measure(exec, b + " teardown v4", r -> masq.teardown("speed", "c" + r, "eth0", ips));
      }
      MacSpoofCheck sc = new MacSpoofCheck(exec);
      measure(exec, "macspoofchk setup", r -> sc.setup("c" + r, "eth0", "veth0000000" + (r % 10), "02:00:00:00:00:01"));
      measure(exec, "macspoofchk teardown", r -> sc.teardown("c" + r, "eth0"));
    }
  }

  private static void measure(NetnsExec exec, String what, Step step) throws Exception {
    exec.takeLaunches();
    long start = System.nanoTime();
    for (int r = 0; r < ROUNDS; r++) {
      step.run(r);
    }
    double ms = (System.nanoTime() - start) / 1e6 / ROUNDS;
    System.out.printf("%-26s %6.1f ms/op  %4.1f launches/op%n", what, ms, exec.takeLaunches() / (double) ROUNDS);
  }
}
