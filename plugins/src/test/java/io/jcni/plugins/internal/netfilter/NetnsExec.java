package io.jcni.plugins.internal.netfilter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs the firewall programs inside a test namespace ({@code ip netns exec}) and counts the launches. */
final class NetnsExec implements FirewallExec {
  private final String netns;
  private final AtomicInteger launches = new AtomicInteger();

  NetnsExec(String netns) {
    this.netns = netns;
  }

  @Override
  public String run(List<String> argv, String stdin) throws FirewallCommandException {
    launches.incrementAndGet();
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(argv);
    return FirewallExec.host().run(full, stdin);
  }

  /** Launches since the last call (or since creation), then starts counting from zero. */
  int takeLaunches() {
    return launches.getAndSet(0);
  }
}
