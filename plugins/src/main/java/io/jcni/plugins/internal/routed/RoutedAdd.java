package io.jcni.plugins.internal.routed;

import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
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
import io.jcni.libcni.types.Route;
import io.jcni.plugins.internal.attach.ContainerAddressing;
import io.jcni.plugins.internal.attach.Forwarding;
import io.jcni.plugins.internal.attach.IpamDelegation;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.attach.Rollback;
import io.jcni.plugins.internal.attach.VethPair;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import io.jcni.plugins.internal.netfilter.IpMasq;
import io.jcni.plugins.internal.netfilter.IpMasqBackend;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One ADD of {@code jcni-routed}: IPAM, forwarding, the veth pair with Calico's host end (hashed name, MAC
 * {@code ee:ee:ee:ee:ee:ee}, no address, proxy ARP/NDP), the pod's addresses (as /32 and /128) with its routes
 * through the link-scope gateway {@code 169.254.1.1} (IPv4) and the host end's link-local address (IPv6), a host
 * route per pod address, masquerading if asked, result. A failed ADD undoes its own work.
 */
final class RoutedAdd {
  private static final int CONTAINER_INTERFACE = 1;
  private static final IpNet V4_DEFAULT = IpNet.tryParse("0.0.0.0/0");
  private static final IpNet V6_DEFAULT = IpNet.tryParse("::/0");

  private final RoutedConf conf;
  private final CmdArgs args;
  private final PluginContext ctx;
  private final Namespaces ns;
  private final Rollback rollback = new Rollback();

  RoutedAdd(RoutedConf conf, CmdArgs args, PluginContext ctx, Namespaces ns) {
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
    Sysctl hostSysctl = sysctl(true);
    Forwarding.enable(hostSysctl, ipam.ips());
    boolean v4 = ipam.ips().stream().anyMatch(i -> i.address().isIpv4());
    boolean v6 = ipam.ips().stream().anyMatch(i -> !i.address().isIpv4());

    String hostName = HostEnd.name(conf.vethPrefix(), args.containerId(), args.ifName());
    VethPair veth = VethPair.create(ns, args.ifName(), () -> hostName, true, conf.mtu(), HostEnd.MAC, rollback);
    for (HostEnd.Setting s : HostEnd.sysctls(hostName, v4, v6)) {
      try {
        hostSysctl.write(s.key(), s.value());
      } catch (IOException e) {
        throw internal("failed to set " + s.key().replace('/', '.') + "=" + s.value() + ": " + v(e), e);
      }
    }

    List<Interface> interfaces = List.of(
        Interface.of(hostName, veth.hostMac()),
        Interface.of(args.ifName(), veth.containerMac(), args.netns()));
    List<IpConfig> ips = new ArrayList<>();
    for (IpConfig ipc : ipam.ips()) {
      // A host prefix, as Calico's IPAM gives: the pod has no on-link neighbours, so everything, other pods of the
      // node included, goes through the host end (proxy NDP would need an entry per neighbour).
      ips.add(new IpConfig(CONTAINER_INTERFACE, hostPrefix(ipc.address()), null));
    }
    List<Route> routes = podRoutes(ipam.routes(), v4, v6);
    RtNetlink cont = ns.containerLinks();
    if (v4) {
      // The gateway is on-link before any route names it; IPv4 takes routes only on a link that is up.
      try {
        cont.setUp(args.ifName());
        cont.addRoute(io.jcni.plugins.internal.linux.Route.of(HostEnd.GATEWAY_V4_HOST, null, veth.containerIndex())
            .withScope(io.jcni.plugins.internal.linux.Route.SCOPE_LINK));
      } catch (IOException e) {
        throw internal("failed to add route " + HostEnd.GATEWAY_V4_HOST + " dev " + args.ifName() + ": " + v(e), e);
      }
    }
    ContainerAddressing.configure(cont, sysctl(false), args.ifName(), veth.containerIndex(), interfaces, ips, routes);

    for (IpConfig ipc : ips) {
      hostRoute(veth, ipc.address());
    }
    if (v6) {
      // The pod's gateway is the host end's link-local address and its own address is a /128 without a gateway
      // in the result: both must have left DAD before the attachment carries IPv6 traffic.
      ContainerAddressing.settle(cont, veth.containerIndex(), args.ifName());
      ContainerAddressing.settle(ns.hostLinks, veth.hostIndex(), veth.hostName());
    }

    if (conf.ipMasq()) {
      ctx.deadline().check("the masquerade rules of " + args.containerId());
      IpMasqBackend backend = IpMasqBackend.parse(conf.ipMasqBackend());
      // IPAM's networks: traffic to the rest of the pod network keeps its source
      List<IpNet> nets = ipam.ips().stream().map(IpConfig::address).toList();
      new IpMasq(backend, ns.firewall().within(ctx.deadline())).setup(conf.name(), args.containerId(),
          args.ifName(), nets);
      rollback.add(() -> new IpMasq(backend, ns.firewall().within(ctx.deadline().forUndo()))
          .teardown(conf.name(), args.containerId(), args.ifName(), nets));
    }

    Dns dns = conf.dns() != null ? conf.dns() : ipam.dns();
    return new Result100(Result100.IMPLEMENTED, interfaces, ips, routes, dns).convertTo(conf.cniVersion()).toJsonNode();
  }

  /**
   * The pod's routes: each IPAM route's destination via the family's gateway, or a default route per family when
   * IPAM gives none for it.
   */
  static List<Route> podRoutes(List<Route> ipamRoutes, boolean v4, boolean v6) {
    List<Route> out = new ArrayList<>();
    boolean have4 = false;
    boolean have6 = false;
    for (Route r : ipamRoutes) {
      boolean isV4 = r.dst().isIpv4();
      if (isV4 ? !v4 : !v6) {
        continue;
      }
      out.add(Route.of(r.dst(), isV4 ? HostEnd.GATEWAY_V4 : HostEnd.GATEWAY_V6));
      have4 |= isV4;
      have6 |= !isV4;
    }
    if (v4 && !have4) {
      out.add(Route.of(V4_DEFAULT, HostEnd.GATEWAY_V4));
    }
    if (v6 && !have6) {
      out.add(Route.of(V6_DEFAULT, HostEnd.GATEWAY_V6));
    }
    return out;
  }

  /** {@code podIP/32 dev <host end> scope link} (/128 for IPv6), Calico's way back to the pod. */
  private void hostRoute(VethPair veth, IpNet addr) throws CniException {
    IpNet host = hostPrefix(addr);
    try {
      ns.hostLinks.addRoute(io.jcni.plugins.internal.linux.Route.of(host, null, veth.hostIndex())
          .withScope(io.jcni.plugins.internal.linux.Route.SCOPE_LINK));
    } catch (ErrnoException e) {
      if (e.kind() == ErrnoException.Kind.EXISTS) {
        throw internal("route (" + host + ") already exists for an interface other than " + q(veth.hostName()), e);
      }
      throw internal("failed to add route " + host + " dev " + veth.hostName() + ": " + v(e), e);
    } catch (IOException e) {
      throw internal("failed to add route " + host + " dev " + veth.hostName() + ": " + v(e), e);
    }
  }

  private static IpNet hostPrefix(IpNet addr) {
    return new IpNet(addr.ip(), addr.isIpv4() ? 32 : 128);
  }

  private Sysctl sysctl(boolean host) throws CniException {
    try {
      return host ? ns.hostSysctl() : ns.containerSysctl();
    } catch (IOException e) {
      throw internal("failed to open the " + (host ? "host" : "pod") + "'s sysctls: " + v(e), e);
    }
  }
}
