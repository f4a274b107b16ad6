package io.jcni.plugins.bridge;

import static io.jcni.plugins.bridge.Failures.internal;
import static io.jcni.plugins.bridge.Failures.q;
import static io.jcni.plugins.bridge.Failures.v;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Results;
import io.jcni.plugins.netfilter.FirewallExec;
import io.jcni.plugins.netfilter.IpMasq;
import io.jcni.plugins.netfilter.MacSpoofCheck;
import io.jcni.plugins.linux.Address;
import io.jcni.plugins.linux.ErrnoException;
import io.jcni.plugins.linux.Family;
import io.jcni.plugins.linux.Link;
import io.jcni.plugins.linux.NetNs;
import io.jcni.plugins.linux.RtNetlink;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One DEL of the bridge plugin, in Go's order: the container interface (its peer goes with it), then IPAM, then the
 * spoof-check rules, then the masquerade rules. Anything already gone is fine. Unlike Go, the masquerade rules are
 * also removed when CNI_NETNS is empty or gone, using the prevResult addresses (plugins#810).
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
    List<IpNet> removed = args.netns().isEmpty() ? List.of() : deleteContainerLink();
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
    if (conf.isLayer3() && conf.ipMasq()) {
      List<IpNet> addrs = removed.isEmpty() ? prevResultAddresses() : removed;
      IpMasq masq = new IpMasq(null, firewall);
      if (addrs.isEmpty()) {
        masq.teardownAll(conf.name(), args.containerId(), args.ifName());
      } else {
        masq.teardown(conf.name(), args.containerId(), args.ifName(), addrs);
      }
    }
  }

  /** Deletes CNI_IFNAME in the container and returns its global unicast addresses; empty when it is gone. */
  private List<IpNet> deleteContainerLink() throws CniException {
    NetNs contNs;
    try {
      contNs = NetNs.open(Path.of(args.netns()));
    } catch (ErrnoException e) {
      if (e.kind() == ErrnoException.Kind.NOT_FOUND) {
        // the runtime already removed the namespace, and the veth with it
        return List.of();
      }
      throw internal(v(e), e);
    } catch (IOException e) {
      throw internal(v(e), e);
    }
    try (contNs;
        RtNetlink cont = RtNetlink.open(contNs)) {
      Optional<Link> link = cont.findLink(args.ifName());
      if (link.isEmpty()) {
        return List.of();
      }
      List<IpNet> out = new ArrayList<>();
      List<Address> addrs;
      try {
        addrs = cont.addresses(link.get().index(), Family.ANY);
      } catch (IOException e) {
        throw internal("failed to get IP addresses for " + q(args.ifName()) + ": " + v(e), e);
      }
      for (Address a : addrs) {
        if (isGlobalUnicast(a.prefix().ip())) {
          out.add(a.prefix());
        }
      }
      try {
        cont.delete(args.ifName());
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.NOT_FOUND) {
          throw internal("failed to delete " + q(args.ifName()) + ": " + v(e), e);
        }
      }
      return out;
    } catch (IOException e) {
      throw internal(v(e), e);
    }
  }

  /** The container addresses of prevResult, for a DEL that can no longer read them from the interface. */
  private List<IpNet> prevResultAddresses() {
    if (conf.prevResult() == null) {
      return List.of();
    }
    try {
      Result100 prev =
          (Result100) Results.parsePrevResult(conf.prevResult(), conf.cniVersion()).convertTo(Result100.IMPLEMENTED);
      return prev.ips().stream().map(IpConfig::address).toList();
    } catch (CniException | RuntimeException e) {
      return List.of();
    }
  }

  /** Go's {@code net.IP.IsGlobalUnicast}. */
  static boolean isGlobalUnicast(InetAddress ip) {
    if (ip.isAnyLocalAddress() || ip.isLoopbackAddress() || ip.isMulticastAddress() || ip.isLinkLocalAddress()) {
      return false;
    }
    if (ip instanceof Inet4Address) {
      byte[] b = ip.getAddress();
      return !(b[0] == (byte) 255 && b[1] == (byte) 255 && b[2] == (byte) 255 && b[3] == (byte) 255);
    }
    return true;
  }
}
