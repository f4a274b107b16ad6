package io.jcni.plugins.internal.bridge;

import io.jcni.plugins.internal.attach.ContainerLink;
import io.jcni.plugins.internal.attach.PrevResultAddresses;
import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
import static io.jcni.plugins.internal.attach.Failures.v;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IpMasq;
import io.jcni.plugins.internal.netfilter.MacSpoofCheck;
import java.util.List;

/**
 * One DEL of the bridge plugin: the container interface (its peer goes with it), then the masquerade rules, then
 * IPAM, then the spoof-check rules. Anything already gone is fine. Unlike Go, the masquerade rules go before the
 * address is released (Go removes them after IPAM), and also when CNI_NETNS is empty or gone, using the prevResult
 * addresses (plugins#810).
 */
final class BridgeDel {
  private final BridgeConf conf;
  private final CmdArgs args;
  private final PluginContext ctx;
  private final FirewallExec firewall;

  BridgeDel(BridgeConf conf, CmdArgs args, PluginContext ctx, FirewallExec firewall) {
    this.conf = conf;
    this.args = args;
    this.ctx = ctx;
    this.firewall = firewall.within(ctx.deadline());
  }

  void run() throws CniException {
    List<IpNet> removed = args.netns().isEmpty() ? List.of() : ContainerLink.delete(args.netns(), args.ifName());
    if (conf.isLayer3() && conf.ipMasq()) {
      // before IPAM (Go tears them down after it): an address is released only once no rule uses it, and the
      // removal can join the chain's other rule changes, which the delegation below completes
      List<IpNet> addrs = removed.isEmpty() ? PrevResultAddresses.of(conf.prevResult(), conf.cniVersion()) : removed;
      new IpMasq(null, firewall).teardown(conf.name(), args.containerId(), args.ifName(), addrs, ctx);
    }
    if (conf.isLayer3()) {
      ctx.delegate(Command.DEL, conf.ipamType(), args);
    }
    if (conf.macSpoofCheck()) {
      try {
        new MacSpoofCheck(firewall).teardown(args.containerId(), args.ifName());
      } catch (CniException e) {
        // Go only prints this one to stderr and carries on
        System.err.println(e.getMessage());
      }
    }
  }
}
