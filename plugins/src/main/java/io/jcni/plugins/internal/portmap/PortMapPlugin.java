package io.jcni.plugins.internal.portmap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.version.Versions;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import java.util.ArrayList;
import java.util.List;

/**
 * The CNI {@code portmap} plugin, in process: a chained plugin that forwards the host ports of {@code
 * runtimeConfig.portMappings} to the container addresses of the prevResult, which it passes through unchanged.
 * Rules, names and messages are the Go plugin's (current upstream), so either can delete what the other added.
 *
 * <p>The host side is the calling thread's network namespace, or a fixed one given to {@link
 * #PortMapPlugin(NetNs)} (tests use a throw-away namespace as "host"). The container namespace is never entered.
 * Like Go's, it has no GC or STATUS of its own.
 */
public final class PortMapPlugin implements CniPlugin {
  private final NetNs hostNs;
  private final FirewallExec exec;
  private final DefaultBackend defaultBackend;

  /** A portmap plugin whose host side is the namespace of the thread that calls it. */
  public PortMapPlugin() {
    this(null);
  }

  /** A portmap plugin whose host side is {@code hostNs} (kept open by the caller while the plugin is used). */
  public PortMapPlugin(NetNs hostNs) {
    this(hostNs, FirewallExec.in(hostNs));
  }

  /**
   * A portmap plugin on {@code hostNs} whose firewall programs and nf_tables changes go through {@code exec}, which
   * works in the same namespace (tests watch it).
   */
  PortMapPlugin(NetNs hostNs, FirewallExec exec) {
    this.hostNs = hostNs;
    this.exec = exec;
    this.defaultBackend = new DefaultBackend(exec);
  }

  @Override
  public String type() {
    return "portmap";
  }

  @Override
  public List<String> supportedVersions() {
    return Versions.ALL;
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    PortMapConf conf = parse(args);
    if (conf.prevResult() == null) {
      throw new CniException(ErrorCode.INTERNAL, "must be called as chained plugin");
    }
    if (!conf.mappings().isEmpty()) {
      List<IpNet> containers = new ArrayList<>();
      if (conf.containerV4() != null) {
        containers.add(conf.containerV4());
      }
      if (conf.containerV6() != null) {
        containers.add(conf.containerV6());
      }
      // Stale flows go once the new forwarding is in the kernel, else a packet in between would make them again;
      // route_localnet (never reset, as in Go) is set only when the ADD has nothing else left that can fail.
      mapper(conf, ctx.deadline()).forward(conf, args.containerId(), containers, () -> {
        if (conf.containerV4() != null) {
          StaleUdpFlows.flush(hostNs, conf, Family.IPV4);
        }
        if (conf.containerV6() != null) {
          StaleUdpFlows.flush(hostNs, conf, Family.IPV6);
        }
        if (conf.containerV4() != null && conf.snat()) {
          LocalnetRouting.enable(hostNs, conf.containerV4().ip());
        }
      }, ctx);
    }
    return conf.prevResult().convertTo(conf.cniVersion()).toJsonNode();
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    PortMapConf conf = PortMapConf.parse(args.stdinData(), args.ifName(), defaultBackend);
    if (conf.prevResult() == null) {
      throw new CniException(ErrorCode.INTERNAL, "Required prevResult missing");
    }
    if (conf.mappings().isEmpty()) {
      return;
    }
    PortMapper mapper = mapper(conf, ctx.deadline());
    if (conf.containerV4() != null) {
      mapper.check(conf, args.containerId(), conf.containerV4());
    }
    if (conf.containerV6() != null) {
      mapper.check(conf, args.containerId(), conf.containerV6());
    }
  }

  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    PortMapConf conf = parse(args);
    if (conf.mappings().isEmpty()) {
      return;
    }
    // with a prevResult, the families of its addresses (those ADD used) in a chain's joint transaction; without
    // one, or on its own, both families are cleaned (removal is idempotent)
    mapper(conf, ctx.deadline()).unforward(conf, args.containerId(), ctx);
  }

  private PortMapConf parse(CmdArgs args) throws CniException {
    try {
      return PortMapConf.parse(args.stdinData(), args.ifName(), defaultBackend);
    } catch (CniException e) {
      throw e.withPrefix("failed to parse config: ");
    }
  }

  private PortMapper mapper(PortMapConf conf, Deadline deadline) {
    return conf.backend().equals(PortMapConf.NFTABLES) ? new NftablesPortMapper(exec, deadline)
        : new IptablesPortMapper(exec, deadline);
  }
}
