package io.jcni.plugins.internal.ptp;

import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.v;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.plugins.internal.attach.ContainerAddressing;
import io.jcni.plugins.internal.attach.Forwarding;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.attach.IpamDelegation;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.attach.Rollback;
import io.jcni.plugins.internal.attach.VethPair;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Route;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import io.jcni.plugins.internal.netfilter.IpMasq;
import io.jcni.plugins.internal.netfilter.IpMasqBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One ADD of the ptp plugin, in the Go plugin's order: IPAM, forwarding, veth pair, container addresses with the
 * point-to-point routes (the IPAM network reached only via the gateway, the gateway itself on-link), the gateway
 * address and a host route per container address on the host end, masquerading, result. A failed ADD undoes its
 * own work.
 */
final class PtpAdd {
  /** Index of the container interface in the result: host veth, container veth. */
  private static final int CONTAINER_INTERFACE = 1;

  private final PtpConf conf;
  private final CmdArgs args;
  private final PluginContext ctx;
  private final Namespaces ns;
  private final Rollback rollback = new Rollback();

  PtpAdd(PtpConf conf, CmdArgs args, PluginContext ctx, Namespaces ns) {
    this.conf = conf;
    this.args = args;
    this.ctx = ctx;
    this.ns = ns;
  }

  ObjectNode run() throws CniException {
    try {
      return add();
    } catch (CniException | RuntimeException | Error e) {
      rollback.run(e);
      throw e;
    }
  }

  private ObjectNode add() throws CniException {
    Result100 ipam = IpamDelegation.add(ctx, conf.ipamType(), args, conf.cniVersion(), rollback);
    Forwarding.enable(hostSysctl(), ipam.ips());

    VethPair veth = VethPair.create(ns, args.ifName(), InterfaceNames::randomVeth, false, conf.mtu(), null, rollback);
    List<Interface> interfaces = List.of(
        Interface.of(veth.hostName(), veth.hostMac()),
        Interface.of(args.ifName(), veth.containerMac(), args.netns()));
    List<IpConfig> ips = new ArrayList<>();
    for (IpConfig ipc : ipam.ips()) {
      if (ipc.gateway() == null) {
        throw internal("IPAM result for " + ipc.address() + " has no gateway, which ptp routes through");
      }
      ips.add(new IpConfig(CONTAINER_INTERFACE, ipc.address(), ipc.gateway()));
    }
    RtNetlink cont = ns.containerLinks();
    ContainerAddressing.configure(cont, containerSysctl(), args.ifName(), veth.containerIndex(), interfaces, ips,
        ipam.routes());
    for (IpConfig ipc : ips) {
      pointToPoint(cont, veth.containerIndex(), ipc);
    }
    for (IpConfig ipc : ips) {
      hostSide(veth, ipc);
    }

    if (conf.ipMasq()) {
      ctx.deadline().check("the masquerade rules of " + args.containerId());
      List<IpNet> nets = ips.stream().map(IpConfig::address).toList();
      // Go's ptp masquerades with iptables only (ip.SetupIPMasq), whatever the host prefers.
      new IpMasq(IpMasqBackend.IPTABLES, ns.firewall().within(ctx.deadline()))
          .setup(conf.name(), args.containerId(), args.ifName(), nets);
      rollback.add(() -> new IpMasq(IpMasqBackend.IPTABLES, ns.firewall().within(ctx.deadline().forUndo()))
          .teardown(conf.name(), args.containerId(), args.ifName(), nets));
    }

    Dns dns = conf.dns() != null ? conf.dns() : ipam.dns();
    Result100 result = new Result100(Result100.IMPLEMENTED, interfaces, ips, ipam.routes(), dns);
    return result.convertTo(conf.cniVersion()).toJsonNode();
  }

  /**
   * Replaces the kernel's on-link route to the address's network by {@code gw/32 dev if scope link} and {@code
   * network via gw}, both with the container address as source, so everything but the gateway is reached through it.
   */
  private void pointToPoint(RtNetlink cont, int index, IpConfig ipc) throws CniException {
    IpNet net = ipc.address().network();
    InetAddress addr = ipc.address().ip();
    InetAddress gw = ipc.gateway();
    Route onLink = Route.of(net, null, index);
    try {
      cont.deleteRoute(onLink);
    } catch (IOException e) {
      throw internal("failed to delete route " + net + " dev " + args.ifName() + ": " + v(e), e);
    }
    Route toGw = Route.of(new IpNet(gw, hostBits(gw)), null, index).withScope(Route.SCOPE_LINK);
    Route viaGw = Route.of(net, gw, index);
    for (Route r : List.of(toGw, viaGw)) {
      try {
        cont.addRoute(r, addr);
      } catch (IOException e) {
        throw internal("failed to add route " + r.dst() + (r.gateway() == null ? "" : " via " + r.gateway()
            .getHostAddress()) + " dev " + args.ifName() + " src " + addr.getHostAddress() + ": " + v(e), e);
      }
    }
  }

  /**
   * The gateway as a host address on the host end, and a route to the container address through it (scope host, as
   * Go's {@code ip.AddHostRoute} makes it).
   */
  private void hostSide(VethPair veth, IpConfig ipc) throws CniException {
    RtNetlink host = ns.hostLinks;
    IpNet gwAddr = new IpNet(ipc.gateway(), hostBits(ipc.gateway()));
    try {
      host.addAddress(veth.hostIndex(), gwAddr, Set.of());
    } catch (IOException e) {
      throw internal("failed to add IP addr " + gwAddr + " to veth: " + v(e), e);
    }
    IpNet contHost = new IpNet(ipc.address().ip(), hostBits(ipc.address().ip()));
    try {
      host.addRoute(Route.of(contHost, null, veth.hostIndex()).withScope(Route.SCOPE_HOST));
    } catch (ErrnoException e) {
      if (e.kind() != ErrnoException.Kind.EXISTS) {
        throw internal("failed to add route on host: " + v(e), e);
      }
    } catch (IOException e) {
      throw internal("failed to add route on host: " + v(e), e);
    }
  }

  private static int hostBits(InetAddress a) {
    return a.getAddress().length * 8;
  }

  private Sysctl hostSysctl() throws CniException {
    try {
      return ns.hostSysctl();
    } catch (IOException e) {
      throw internal("Could not enable IP forwarding: " + v(e), e);
    }
  }

  private Sysctl containerSysctl() throws CniException {
    try {
      return ns.containerSysctl();
    } catch (IOException e) {
      throw internal("failed to open the container's sysctls: " + v(e), e);
    }
  }
}
