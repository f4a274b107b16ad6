package io.jcni.plugins.internal.bridge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.version.Version;
import io.jcni.libcni.version.Versions;
import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import java.io.IOException;
import java.util.List;

/**
 * The CNI {@code bridge} plugin, in process: attaches a container to a Linux bridge through a veth pair, with the
 * behaviour, messages and on-disk/kernel state of the Go reference plugin (current upstream), so Go and jcni can
 * add, check and delete each other's attachments.
 *
 * <p>The host side (bridge, host veth, firewall rules) is the calling thread's network namespace, or a fixed one
 * given to {@link #BridgePlugin(NetNs)} (tests use a throw-away namespace as "host"). Thread-safe: each operation
 * opens its own netlink sockets.
 */
public final class BridgePlugin implements CniPlugin {
  private static final Version STATUS_MIN = new Version(1, 1, 0);

  private final NetNs hostNs;

  /** A bridge plugin whose host side is the namespace of the thread that calls it. */
  public BridgePlugin() {
    this(null);
  }

  /** A bridge plugin whose host side is {@code hostNs} (kept open by the caller while the plugin is used). */
  public BridgePlugin(NetNs hostNs) {
    this.hostNs = hostNs;
  }

  @Override
  public String type() {
    return "bridge";
  }

  @Override
  public List<String> supportedVersions() {
    return Versions.ALL;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    BridgeConf conf = BridgeConf.parse(args.stdinData(), args.args());
    conf.checkForAdd();
    checkIfName(args.ifName());
    return inContainer(args, ns -> new BridgeAdd(conf, args, ctx, ns).run());
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    BridgeConf conf = BridgeConf.parse(args.stdinData(), args.args());
    checkIfName(args.ifName());
    inContainer(args, ns -> {
      ns.containerLinks(); // a container that cannot be entered fails CHECK before anything is looked at
      new BridgeCheck(conf, args, ctx, ns).run();
      return null;
    });
  }

  /** One step that works in the host and container namespaces of {@link #inContainer}. */
  @FunctionalInterface
  private interface NamespacedStep<T> {
    T run(Namespaces ns) throws CniException;
  }

  /** Runs {@code step} with CNI_NETNS and the host namespace open, closing both afterwards. */
  private <T> T inContainer(CmdArgs args, NamespacedStep<T> step) throws CniException {
    // Opened before the bridge is touched, so a bad CNI_NETNS leaves nothing behind.
    NetNs container = Namespaces.openContainer(args.netns());
    try (Namespaces ns = open(container)) {
      return step.run(ns);
    } catch (RuntimeException e) {
      throw unexpected(e);
    }
  }

  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    BridgeConf conf = BridgeConf.parse(args.stdinData(), args.args());
    checkIfName(args.ifName());
    try {
      new BridgeDel(conf, args, ctx, FirewallExec.in(hostNs)).run();
    } catch (RuntimeException e) {
      throw unexpected(e);
    }
  }

  /** CNI_IFNAME must be a name the kernel accepts; skel checks it for an exec'd plugin, so check it here too. */
  private static void checkIfName(String ifName) throws CniException {
    String bad = InterfaceNames.check(ifName);
    if (bad != null) {
      throw new CniException(
          ErrorCode.INVALID_ENVIRONMENT_VARIABLES, "invalid CNI_IFNAME " + Failures.q(ifName) + ": " + bad);
    }
  }

  /** A programming error below (an argument a lower layer refused) still reaches the runtime as a CNI error. */
  private static CniException unexpected(RuntimeException e) {
    return Failures.internal(String.valueOf(e.getMessage()), e);
  }

  @Override
  public void status(CmdArgs args, PluginContext ctx) throws CniException {
    passToIpam(Command.STATUS, args, ctx);
  }

  /** GC has nothing of the bridge's own to collect; the IPAM plugin gets the same GC to release its leases. */
  @Override
  public void gc(CmdArgs args, PluginContext ctx) throws CniException {
    passToIpam(Command.GC, args, ctx);
  }

  /** A CNI 1.1 command (STATUS, GC) whose only work is the IPAM plugin's, which a layer-2 bridge has none of. */
  private static void passToIpam(Command command, CmdArgs args, PluginContext ctx) throws CniException {
    BridgeConf conf = BridgeConf.parse(args.stdinData(), "");
    if (Version.parse(conf.cniVersion()).compareTo(STATUS_MIN) < 0) {
      throw new CniException(
          ErrorCode.INCOMPATIBLE_CNI_VERSION, "config version does not allow " + command.name());
    }
    if (conf.isLayer3()) {
      ctx.delegate(command, conf.ipamType(), args);
    }
  }

  private Namespaces open(NetNs container) throws CniException {
    try {
      return Namespaces.open(hostNs, container);
    } catch (IOException e) {
      throw Failures.internal("failed to open netlink sockets: " + Failures.v(e), e);
    }
  }
}
