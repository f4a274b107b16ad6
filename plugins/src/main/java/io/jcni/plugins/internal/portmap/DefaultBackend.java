package io.jcni.plugins.internal.portmap;

import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IpMasqBackend;
import java.util.function.Supplier;

/**
 * The backend portmap uses when the configuration names none, chosen as Go chooses it: iptables, unless iptables
 * cannot be used and nftables can. The probes are the ipMasq backends' (the same tests as Go's {@code
 * utils.SupportsIPTables}/{@code SupportsNFTables}); the choice is made once, on first need.
 */
final class DefaultBackend implements Supplier<String> {
  private final FirewallExec exec;
  private volatile String chosen;

  DefaultBackend(FirewallExec exec) {
    this.exec = exec;
  }

  @Override
  public String get() {
    String b = chosen;
    if (b == null) {
      b = !IpMasqBackend.IPTABLES.isSupported(exec) && IpMasqBackend.NFTABLES.isSupported(exec)
          ? PortMapConf.NFTABLES : PortMapConf.IPTABLES;
      chosen = b;
    }
    return b;
  }
}
