package io.jcni.plugins.internal.routed;

import static io.jcni.plugins.internal.attach.Failures.internal;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Results;
import io.jcni.plugins.internal.attach.ExpectedState;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.linux.Address;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.Route;
import io.jcni.plugins.internal.linux.RouteEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * One CHECK of {@code jcni-routed}: IPAM CHECK, then everything ADD made against the prevResult: the pod's veth
 * and its addresses, the link-scope gateway route and the result's routes in the pod; the host end (the pod end's
 * peer, MAC {@code ee:ee:ee:ee:ee:ee}), its sysctls and the host route per pod address.
 */
final class RoutedCheck {
  private final RoutedConf conf;
  private final CmdArgs args;
  private final PluginContext ctx;
  private final Namespaces ns;

  RoutedCheck(RoutedConf conf, CmdArgs args, PluginContext ctx, Namespaces ns) {
    this.conf = conf;
    this.args = args;
    this.ctx = ctx;
    this.ns = ns;
  }

  void run() throws CniException {
    ctx.delegate(Command.CHECK, conf.ipamType(), args);
    if (conf.prevResult() == null) {
      throw internal("jcni-routed: Required prevResult missing");
    }
    Result100 prev = (Result100) Results.parsePrevResult(conf.prevResult(), conf.cniVersion())
        .convertTo(Result100.IMPLEMENTED);
    try {
      check(prev);
    } catch (IOException e) {
      throw internal(Failures.v(e), e);
    }
  }

  private void check(Result100 prev) throws CniException, IOException {
    String hostName = HostEnd.name(conf.vethPrefix(), args.containerId(), args.ifName());
    Link cont = ns.containerLinks().findLink(args.ifName())
        .orElseThrow(() -> internal("pod interface " + args.ifName() + " not found"));
    if (!"veth".equals(cont.kind())) {
      throw internal("pod interface " + args.ifName() + " is not a veth");
    }
    for (Interface i : prev.interfaces()) {
      if (i.name().equals(args.ifName()) && args.netns().equals(i.sandbox()) && i.mac() != null
          && !i.mac().isEmpty() && !i.mac().equals(cont.mac())) {
        throw internal("pod interface " + args.ifName() + " has MAC " + cont.mac() + ", prevResult " + i.mac());
      }
    }
    Optional<Link> host = ns.hostLinks.findLink(hostName);
    if (host.isEmpty()) {
      throw internal("host interface " + hostName + " not found");
    }
    Link h = host.get();
    if (h.index() != cont.peerIndex() || !HostEnd.MAC.equals(h.mac())) {
      throw internal("host interface " + hostName + " is not the peer of " + args.ifName() + " with MAC "
          + HostEnd.MAC);
    }

    List<Address> have = ns.containerLinks().addresses(cont.index(), Family.ANY);
    boolean v4 = false;
    boolean v6 = false;
    for (IpConfig ipc : prev.ips()) {
      IpNet want = ipc.address();
      v4 |= want.isIpv4();
      v6 |= !want.isIpv4();
      if (have.stream().noneMatch(a -> a.prefix().toString().equals(want.toString()))) {
        throw internal("Failed to match addr " + want + " on interface " + args.ifName());
      }
      IpNet hostRoute = new IpNet(want.ip(), want.isIpv4() ? 32 : 128);
      List<RouteEntry> routes = ns.hostLinks.routes(want.isIpv4() ? Family.IPV4 : Family.IPV6, Route.TABLE_MAIN);
      if (routes.stream().noneMatch(r -> r.dst().toString().equals(hostRoute.toString()) && r.oif() == h.index())) {
        throw internal("host route " + hostRoute + " dev " + hostName + " not found");
      }
    }
    if (v4) {
      List<RouteEntry> routes = ns.containerLinks().routes(Family.IPV4, Route.TABLE_MAIN);
      if (routes.stream().noneMatch(r -> r.dst().toString().equals(HostEnd.GATEWAY_V4_HOST.toString())
          && r.oif() == cont.index() && r.scope() == Route.SCOPE_LINK)) {
        throw internal("route " + HostEnd.GATEWAY_V4_HOST + " dev " + args.ifName() + " scope link not found");
      }
    }
    ExpectedState.routes(ns.containerLinks(), prev.routes());
    for (HostEnd.Setting s : HostEnd.sysctls(hostName, v4, v6)) {
      String value = ns.hostSysctl().read(s.key()).trim();
      if (!value.equals(s.value())) {
        throw internal(s.key().replace('/', '.') + " is " + value + ", expected " + s.value());
      }
    }
  }
}
