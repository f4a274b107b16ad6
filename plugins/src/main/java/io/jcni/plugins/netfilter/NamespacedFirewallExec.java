package io.jcni.plugins.netfilter;

import io.jcni.libcni.spi.Deadline;
import io.jcni.plugins.linux.NetNs;
import java.io.IOException;
import java.util.List;

/**
 * {@link FirewallExec} that runs its programs in a fixed network namespace: a plugin bound to a "host" namespace
 * other than the caller's (tests use a throw-away one) programs that namespace's firewall.
 */
public final class NamespacedFirewallExec implements FirewallExec {
  private final NetNs ns;

  private NamespacedFirewallExec(NetNs ns) {
    this.ns = ns;
  }

  /** Runs programs in {@code ns}, or on this machine as the calling thread would when {@code ns} is null. */
  public static FirewallExec in(NetNs ns) {
    return ns == null ? FirewallExec.host() : new NamespacedFirewallExec(ns);
  }

  @Override
  public String run(List<String> argv, String stdin) throws FirewallCommandException {
    return run(argv, stdin, Deadline.none());
  }

  @Override
  public String run(List<String> argv, String stdin, Deadline deadline) throws FirewallCommandException {
    try {
      // a program inherits the namespace of the thread that starts it
      return ns.runIn(() -> FirewallExec.host().run(argv, stdin, deadline));
    } catch (IOException e) {
      throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED, e.getMessage(), stdin, e);
    }
  }
}
