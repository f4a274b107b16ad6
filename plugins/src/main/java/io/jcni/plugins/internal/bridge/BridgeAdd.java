package io.jcni.plugins.internal.bridge;

import io.jcni.plugins.internal.attach.ContainerAddressing;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.IpamDelegation;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.attach.Rollback;
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
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.netfilter.IpMasq;
import io.jcni.plugins.internal.netfilter.IpMasqBackend;
import io.jcni.plugins.internal.netfilter.MacSpoofCheck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One ADD of the bridge plugin, in the order of the current Go plugin: bridge, veth pair, spoof check, IPAM,
 * container addresses and routes, gateway addresses, masquerading, link up, port state, result. Every step that
 * creates something registers its undo, so a failed ADD leaves nothing of its own behind (the bridge, its gateway
 * address and forwarding are shared by every attachment and stay, as in Go).
 */
final class BridgeAdd {
  private final BridgeConf conf;
  private final CmdArgs args;
  private final PluginContext ctx;
  private final Namespaces ns;
  private final RtNetlink host;
  private RtNetlink cont;
  private final Rollback rollback = new Rollback();

  BridgeAdd(BridgeConf conf, CmdArgs args, PluginContext ctx, Namespaces ns) {
    this.conf = conf;
    this.args = args;
    this.ctx = ctx;
    this.ns = ns;
    this.host = ns.hostLinks;
  }

  /** Runs the ADD and returns the result JSON in the configuration's version; undoes its own work on failure. */
  ObjectNode run() throws CniException {
    try {
      return add();
    } catch (CniException | RuntimeException | Error e) {
      rollback.run(e);
      throw e;
    }
  }

  private ObjectNode add() throws CniException {
    Link br = BridgeDevice.ensure(ns, conf);
    // Collected only now: the thread that opens the container's socket started while the bridge was looked at.
    cont = ns.containerLinks();
    Veth veth = Veth.create(ns, conf, args.ifName(), br, rollback);

    if (conf.macSpoofCheck()) {
      MacSpoofCheck sc = new MacSpoofCheck(ns.firewall().within(ctx.deadline()));
      sc.setup(args.containerId(), args.ifName(), veth.hostName(), veth.containerMac());
      rollback.add(() -> new MacSpoofCheck(ns.firewall().within(ctx.deadline().forUndo()))
          .teardown(args.containerId(), args.ifName()));
    }

    List<Interface> interfaces = new ArrayList<>();
    interfaces.add(Interface.of(br.name(), br.mac()));
    interfaces.add(Interface.of(veth.hostName(), veth.hostMac()));
    interfaces.add(Interface.of(args.ifName(), veth.containerMac(), args.netns()));
    List<IpConfig> ips = List.of();
    List<io.jcni.libcni.types.Route> routes = List.of();
    Dns dns = Dns.EMPTY;

    if (conf.isLayer3()) {
      Result100 ipam = IpamDelegation.add(ctx, conf.ipamType(), args, conf.cniVersion(), rollback);
      Gateways gw = Gateways.calc(ipam.ips(), ipam.routes(), conf.isGateway(), conf.isDefaultGateway());
      ips = gw.ips();
      routes = gw.routes();
      dns = ipam.dns();

      io.jcni.plugins.internal.linux.Sysctl contSysctl = containerSysctl();
      ContainerAddressing.dadAndArpNotify(contSysctl, args.ifName(), conf.enableDad());
      ContainerAddressing.configure(cont, contSysctl, args.ifName(), veth.containerIndex(), interfaces, ips, routes);

      if (conf.isGateway()) {
        Interface vlanIface = BridgeDevice.configureGateways(host, ns, conf, br, gw);
        if (vlanIface != null) {
          interfaces.add(vlanIface);
        }
      }

      if (conf.ipMasq()) {
        ctx.deadline().check("the masquerade rules of " + args.containerId());
        IpMasqBackend backend = IpMasqBackend.parse(conf.ipMasqBackend());
        List<IpNet> nets = ips.stream().map(IpConfig::address).toList();
        new IpMasq(backend, ns.firewall().within(ctx.deadline())).setup(conf.name(), args.containerId(),
            args.ifName(), nets, ctx);
        rollback.add(() -> new IpMasq(backend, ns.firewall().within(ctx.deadline().forUndo()))
            .teardown(conf.name(), args.containerId(), args.ifName(), nets));
      }
    } else if (!conf.disableContainerInterface()) {
      try {
        cont.setUp(args.ifName());
      } catch (IOException e) {
        throw internal("failed to set " + q(args.ifName()) + " up: " + v(e), e);
      }
    }

    Link hostVeth;
    try {
      if (!conf.disableContainerInterface()) {
        hostVeth = PortState.waitUp(host, veth.hostName(), ctx.deadline());
      } else {
        hostVeth = host.link(veth.hostName());
      }
      // The host end's MAC can change after creation, and the bridge takes a port's MAC until one is pinned.
      br = BridgeDevice.lookup(host, conf.bridge());
    } catch (IOException e) {
      throw internal(v(e), e);
    }
    interfaces.set(0, Interface.of(br.name(), br.mac()));
    interfaces.set(1, Interface.of(hostVeth.name(), hostVeth.mac()));

    if (conf.dns() != null) {
      dns = conf.dns();
    }
    Result100 result = new Result100(Result100.IMPLEMENTED, interfaces, ips, routes, dns);
    return result.convertTo(conf.cniVersion()).toJsonNode();
  }

  private io.jcni.plugins.internal.linux.Sysctl containerSysctl() throws CniException {
    try {
      return ns.containerSysctl();
    } catch (IOException e) {
      throw internal("failed to open the container's sysctls: " + v(e), e);
    }
  }
}
