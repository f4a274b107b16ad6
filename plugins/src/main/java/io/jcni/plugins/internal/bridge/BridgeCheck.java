package io.jcni.plugins.internal.bridge;

import io.jcni.plugins.internal.attach.ExpectedState;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.Namespaces;
import static io.jcni.plugins.internal.attach.Failures.internal;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Results;
import io.jcni.libcni.types.Route;
import io.jcni.plugins.internal.linux.Address;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.RouteEntry;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * One CHECK of the bridge plugin (Go's {@code cmdCheck}): IPAM CHECK, then the prevResult's bridge, container veth,
 * host veth (peer of the container end, port of the bridge), addresses and routes against the kernel.
 */
final class BridgeCheck {
  private final BridgeConf conf;
  private final CmdArgs args;
  private final PluginContext ctx;
  private final Namespaces ns;

  BridgeCheck(BridgeConf conf, CmdArgs args, PluginContext ctx, Namespaces ns) {
    this.conf = conf;
    this.args = args;
    this.ctx = ctx;
    this.ns = ns;
  }

  void run() throws CniException {
    // Go calls IPAM CHECK even for layer 2 and then fails with "no plugin name provided"; a layer-2 attachment
    // has no IPAM state to check.
    if (conf.isLayer3()) {
      ctx.delegate(Command.CHECK, conf.ipamType(), args);
    }
    if (conf.prevResult() == null) {
      throw internal("Required prevResult missing");
    }
    Result100 prev =
        (Result100) Results.parsePrevResult(conf.prevResult(), conf.cniVersion()).convertTo(Result100.IMPLEMENTED);
    try {
      check(prev);
    } catch (IOException e) {
      throw internal(Failures.v(e), e);
    }
  }

  private void check(Result100 prev) throws CniException, IOException {
    Interface brMap = null;
    Interface contMap = null;
    for (Interface i : prev.interfaces()) {
      if (conf.bridge().equals(i.name())) {
        brMap = i;
      } else if (args.ifName().equals(i.name()) && args.netns().equals(i.sandbox())) {
        contMap = i;
      }
    }
    Link br = validateBridge(brMap);
    String sandbox = contMap == null ? "" : contMap.sandbox();
    if (!args.netns().equals(sandbox)) {
      throw internal("Sandbox in prevResult " + sandbox + " doesn't match configured netns: " + args.netns());
    }
    Link cont = validateContainer(contMap);

    boolean vethFound = false;
    for (Interface i : prev.interfaces()) {
      if (i.name().equals(brMap.name()) || i.name().equals(contMap.name())) {
        continue;
      }
      if (validateHostVeth(i, br, cont)) {
        vethFound = true;
        break;
      }
    }
    if (!vethFound) {
      throw internal("CNI veth created for bridge " + conf.bridge() + " was not found");
    }
    ExpectedState.addresses(ns.containerLinks(), cont, args.ifName(), prev.ips());
    ExpectedState.routes(ns.containerLinks(), prev.routes());
  }

  private Link validateBridge(Interface intf) throws CniException, IOException {
    if (intf == null || intf.name().isEmpty()) {
      throw internal("Interface name missing ");
    }
    Optional<Link> l = ns.hostLinks.findLink(intf.name());
    if (l.isEmpty()) {
      throw internal("Interface name " + intf.name() + " not found");
    }
    if (intf.sandbox() != null && !intf.sandbox().isEmpty()) {
      throw internal("Interface " + intf.name() + " should not be in sandbox");
    }
    Link br = l.get();
    if (!"bridge".equals(br.kind())) {
      throw internal("Interface " + intf.name() + " does not have link type of bridge");
    }
    if (intf.mac() != null && !intf.mac().isEmpty() && !intf.mac().equals(br.mac())) {
      throw internal("Bridge interface " + intf.name() + " Mac doesn't match: " + intf.mac());
    }
    if (br.promisc() != conf.promiscMode()) {
      throw internal("Bridge interface " + intf.name() + " configured Promisc Mode " + conf.promiscMode()
          + " doesn't match current state: " + br.promisc() + " ");
    }
    return br;
  }

  private Link validateContainer(Interface intf) throws CniException, IOException {
    if (intf == null || intf.name().isEmpty()) {
      throw internal("Interface name missing ");
    }
    Optional<Link> l = ns.containerLinks().findLink(intf.name());
    if (l.isEmpty()) {
      throw internal("Interface name " + intf.name() + " not found");
    }
    Link c = l.get();
    if (!"veth".equals(c.kind())) {
      throw internal("Error: Container interface " + c.name() + " not of type veth");
    }
    if (intf.mac() != null && !intf.mac().isEmpty() && !intf.mac().equals(c.mac())) {
      throw internal("Interface " + intf.name() + " Mac " + intf.mac() + " doesn't match container Mac: " + c.mac());
    }
    return c;
  }

  /** Whether {@code intf} is the host end of the container's veth and a port of the bridge. */
  private boolean validateHostVeth(Interface intf, Link br, Link cont) throws CniException, IOException {
    if (intf.name().isEmpty()) {
      throw internal("Interface name missing ");
    }
    if (intf.sandbox() != null && !intf.sandbox().isEmpty()) {
      throw internal("Interface " + intf.name() + " should not be in sandbox");
    }
    Optional<Link> l = ns.hostLinks.findLink(intf.name());
    if (l.isEmpty()) {
      throw internal("Interface name " + intf.name() + " not found");
    }
    Link h = l.get();
    if (!"veth".equals(h.kind())) {
      return false;
    }
    if (h.index() != cont.peerIndex() || cont.index() != h.peerIndex() || h.masterIndex() != br.index()) {
      return false;
    }
    if (intf.mac() != null && !intf.mac().isEmpty() && !intf.mac().equals(h.mac())) {
      throw internal("Interface " + intf.name() + " Mac doesn't match: " + intf.mac() + " not found");
    }
    return true;
  }

  private static Family family(IpNet n) {
    return n.isIpv4() ? Family.IPV4 : Family.IPV6;
  }
}
