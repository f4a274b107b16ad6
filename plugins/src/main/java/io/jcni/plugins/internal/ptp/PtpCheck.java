package io.jcni.plugins.internal.ptp;

import static io.jcni.plugins.internal.attach.Failures.internal;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.types.Results;
import io.jcni.plugins.internal.attach.ExpectedState;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.linux.Link;
import java.io.IOException;
import java.util.Optional;

/**
 * One CHECK of the ptp plugin (Go's {@code cmdCheck}): IPAM CHECK, then the prevResult's container interface (a veth
 * in the right sandbox with the recorded MAC), its addresses and the result's routes against the container.
 */
final class PtpCheck {
  private final PtpConf conf;
  private final CmdArgs args;
  private final PluginContext ctx;
  private final Namespaces ns;

  PtpCheck(PtpConf conf, CmdArgs args, PluginContext ctx, Namespaces ns) {
    this.conf = conf;
    this.args = args;
    this.ctx = ctx;
    this.ns = ns;
  }

  void run() throws CniException {
    ctx.delegate(Command.CHECK, conf.ipamType(), args);
    if (conf.prevResult() == null) {
      throw internal("ptp: Required prevResult missing");
    }
    Result100 prev = (Result100) Results.parsePrevResult(conf.prevResult(), conf.cniVersion())
        .convertTo(Result100.IMPLEMENTED);
    Interface contMap = null;
    for (Interface i : prev.interfaces()) {
      if (args.ifName().equals(i.name()) && args.netns().equals(i.sandbox())) {
        contMap = i;
      }
    }
    String sandbox = contMap == null || contMap.sandbox() == null ? "" : contMap.sandbox();
    if (!args.netns().equals(sandbox)) {
      throw internal("Sandbox in prevResult " + sandbox + " doesn't match configured netns: " + args.netns());
    }
    try {
      Link cont = validateContainer(contMap);
      ExpectedState.addresses(ns.containerLinks(), cont, args.ifName(), prev.ips());
      ExpectedState.routes(ns.containerLinks(), prev.routes());
    } catch (IOException e) {
      throw internal(Failures.v(e), e);
    }
  }

  private Link validateContainer(Interface intf) throws CniException, IOException {
    if (intf.name().isEmpty()) {
      throw internal("Container interface name missing in prevResult: ");
    }
    Optional<Link> l = ns.containerLinks().findLink(intf.name());
    if (l.isEmpty()) {
      throw internal("ptp: Container Interface name in prevResult: " + intf.name() + " not found");
    }
    Link c = l.get();
    if (!"veth".equals(c.kind())) {
      throw internal("Error: Container interface " + c.name() + " not of type veth/p2p");
    }
    if (intf.mac() != null && !intf.mac().isEmpty() && !intf.mac().equals(c.mac())) {
      throw internal("ptp: Interface " + intf.name() + " Mac " + intf.mac() + " doesn't match container Mac: "
          + c.mac());
    }
    return c;
  }
}
