package io.jcni.plugins.internal.routed;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.version.Versions;
import io.jcni.plugins.internal.attach.ContainerLink;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.attach.PrevResultAddresses;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IpMasq;
import java.io.IOException;
import java.util.List;

/**
 * {@code jcni-routed}: jcni's Calico-style routed attachment (Calico's {@code DoNetworking}), in process. A pod
 * gets a veth whose host end has no address and the MAC {@code ee:ee:ee:ee:ee:ee}; the pod's default route goes
 * via {@code 169.254.1.1} (on-link by a link-scope /32 route, answered by proxy ARP on the host end) or, for IPv6,
 * via the host end's link-local address; the host reaches the pod by a route {@code podIP/32 dev <host end>}. No
 * bridge: the node routes, so a routing daemon can announce the node's pod CIDR to other nodes.
 *
 * <p>The host side is the calling thread's namespace, or a fixed one given to {@link #RoutedPlugin(NetNs)} (a
 * namespace acting as a node).
 */
public final class RoutedPlugin implements CniPlugin {
  private final NetNs hostNs;

  /** A routed plugin whose host side is the namespace of the thread that calls it. */
  public RoutedPlugin() {
    this(null);
  }

  /** A routed plugin whose host side is {@code hostNs} (kept open by the caller while the plugin is used). */
  public RoutedPlugin(NetNs hostNs) {
    this.hostNs = hostNs;
  }

  @Override
  public String type() {
    return "jcni-routed";
  }

  @Override
  public List<String> supportedVersions() {
    return Versions.ALL;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    RoutedConf conf = RoutedConf.parse(args.stdinData());
    InterfaceNames.requireValidIfName(args.ifName());
    return Namespaces.withContainer(hostNs, args.netns(), ns -> new RoutedAdd(conf, args, ctx, ns).run());
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    RoutedConf conf = RoutedConf.parse(args.stdinData());
    Namespaces.withContainer(hostNs, args.netns(), ns -> {
      new RoutedCheck(conf, args, ctx, ns).run();
      return null;
    });
  }

  /**
   * IPAM DEL, the pod's veth (its host end and the host routes through it go with it; the host end is also removed
   * by name should the namespace be gone and the kernel not yet have taken it), then the masquerade rules; anything
   * already gone is fine.
   */
  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    RoutedConf conf = RoutedConf.parse(args.stdinData());
    ctx.delegate(Command.DEL, conf.ipamType(), args);
    List<IpNet> removed = args.netns().isEmpty() ? List.of() : ContainerLink.delete(args.netns(), args.ifName());
    deleteHostEnd(HostEnd.name(conf.vethPrefix(), args.containerId(), args.ifName()));
    if (!conf.ipMasq()) {
      return;
    }
    List<IpNet> addrs = removed.isEmpty() ? PrevResultAddresses.of(conf.prevResult(), conf.cniVersion()) : removed;
    new IpMasq(null, FirewallExec.in(hostNs).within(ctx.deadline())).teardown(conf.name(), args.containerId(), args.ifName(), addrs);
  }

  private void deleteHostEnd(String name) throws CniException {
    try (RtNetlink host = hostNs == null ? RtNetlink.openCurrent() : RtNetlink.open(hostNs)) {
      if (host.findLink(name).isPresent()) {
        host.delete(name);
      }
    } catch (ErrnoException e) {
      if (e.kind() != ErrnoException.Kind.NOT_FOUND) {
        throw Failures.internal("failed to delete " + Failures.q(name) + ": " + Failures.v(e), e);
      }
    } catch (IOException e) {
      throw Failures.internal("failed to delete " + Failures.q(name) + ": " + Failures.v(e), e);
    }
  }

  @Override
  public void status(CmdArgs args, PluginContext ctx) throws CniException {
    ctx.delegate(Command.STATUS, RoutedConf.parse(args.stdinData()).ipamType(), args);
  }

  @Override
  public void gc(CmdArgs args, PluginContext ctx) throws CniException {
    ctx.delegate(Command.GC, RoutedConf.parse(args.stdinData()).ipamType(), args);
  }
}
