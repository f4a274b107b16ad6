package io.jcni.plugins.internal.ptp;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.version.Versions;
import io.jcni.plugins.internal.attach.ContainerLink;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.attach.PrevResultAddresses;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IpMasq;
import java.util.List;

/**
 * The CNI {@code ptp} plugin, in process: a veth pair whose container end reaches everything through the IPAM
 * gateway, which sits as a host address on the host end, with a host route back per container address; the same
 * kernel and firewall state, messages and CHECK/DEL behaviour as the Go plugin (current upstream), so either can
 * check and delete the other's attachments. Unlike Go, a failed ADD undoes its own work, and a DEL after the
 * namespace is gone still removes the masquerade rules, from the prevResult addresses.
 *
 * <p>The host side is the calling thread's namespace, or a fixed one given to {@link #PtpPlugin(NetNs)}.
 */
public final class PtpPlugin implements CniPlugin {
  private final NetNs hostNs;

  /** A ptp plugin whose host side is the namespace of the thread that calls it. */
  public PtpPlugin() {
    this(null);
  }

  /** A ptp plugin whose host side is {@code hostNs} (kept open by the caller while the plugin is used). */
  public PtpPlugin(NetNs hostNs) {
    this.hostNs = hostNs;
  }

  @Override
  public String type() {
    return "ptp";
  }

  @Override
  public List<String> supportedVersions() {
    return Versions.ALL;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    PtpConf conf = PtpConf.parse(args.stdinData());
    InterfaceNames.requireValidIfName(args.ifName());
    return Namespaces.withContainer(hostNs, args.netns(), ns -> new PtpAdd(conf, args, ctx, ns).run());
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    PtpConf conf = PtpConf.parse(args.stdinData());
    Namespaces.withContainer(hostNs, args.netns(), ns -> {
      new PtpCheck(conf, args, ctx, ns).run();
      return null;
    });
  }

  /**
   * Go's order: IPAM DEL, then the container interface (its peer goes with it), then the masquerade rules of the
   * addresses it had; a namespace or interface already gone is fine.
   */
  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    PtpConf conf = PtpConf.parse(args.stdinData());
    ctx.delegate(Command.DEL, conf.ipamType(), args);
    List<IpNet> removed = args.netns().isEmpty() ? List.of() : ContainerLink.delete(args.netns(), args.ifName());
    if (!conf.ipMasq()) {
      return;
    }
    List<IpNet> addrs = removed.isEmpty() ? PrevResultAddresses.of(conf.prevResult(), conf.cniVersion()) : removed;
    new IpMasq(null, FirewallExec.in(hostNs).within(ctx.deadline())).teardown(conf.name(), args.containerId(), args.ifName(), addrs);
  }

  @Override
  public void status(CmdArgs args, PluginContext ctx) throws CniException {
    ctx.delegate(Command.STATUS, PtpConf.parse(args.stdinData()).ipamType(), args);
  }

  @Override
  public void gc(CmdArgs args, PluginContext ctx) throws CniException {
    ctx.delegate(Command.GC, PtpConf.parse(args.stdinData()).ipamType(), args);
  }

}
