package io.jcni.plugins.internal.firewall;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Result100;
import io.jcni.libcni.version.Versions;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import io.jcni.plugins.internal.netfilter.IptablesFamily;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The CNI {@code firewall} meta plugin, in process, with upstream's iptables backend: ADD lets the prevResult's
 * addresses through the host's FORWARD chain ({@code CNI-FORWARD}, with the {@code CNI-ADMIN} override chain) and
 * sets up the {@code ingressPolicy} bridge isolation; DEL removes the addresses' rules (the namespace plays no
 * part); CHECK looks for them; the result is the prevResult. The firewalld backend (D-Bus) is refused with a
 * clear error.
 *
 * <p>The host is the calling thread's network namespace, or the one given to {@link #FirewallPlugin(NetNs)}.
 * Thread-safe.
 */
public final class FirewallPlugin implements CniPlugin {
  private final FirewallExec exec;
  private final BooleanSupplier firewalldRunning;

  /** A firewall plugin working in the namespace of the thread that calls it. */
  public FirewallPlugin() {
    this(null);
  }

  /** A firewall plugin working in {@code hostNs} (kept open by the caller while the plugin is used). */
  public FirewallPlugin(NetNs hostNs) {
    this(hostNs, Firewalld::isRunning);
  }

  FirewallPlugin(NetNs hostNs, BooleanSupplier firewalldRunning) {
    this(FirewallExec.in(hostNs), firewalldRunning);
  }

  /** A firewall plugin whose programs and nf_tables changes go through {@code exec} (tests watch them). */
  FirewallPlugin(FirewallExec exec, BooleanSupplier firewalldRunning) {
    this.exec = exec;
    this.firewalldRunning = firewalldRunning;
  }

  @Override
  public String type() {
    return "firewall";
  }

  @Override
  public List<String> supportedVersions() {
    return Versions.startingFrom("0.4.0");
  }

  @Override
  public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
    FirewallConf conf = FirewallConf.parse(args.stdinData());
    if (conf.prevResult() == null) {
      throw FirewallConf.missingPrevResult();
    }
    ForwardRules forward = iptablesBackend(conf);
    Result100 prev = conf.prevResult();
    // Go checks the policy after adding the forward rules and leaves them behind; checked first, nothing is left.
    IngressPolicy policy = policy(conf);
    String bridge = policy == IngressPolicy.OPEN ? null : bridgeName(prev, conf);
    List<IpNet> ips = addresses(prev);
    FilterTables tables = new FilterTables(exec, ctx.deadline());
    FilterTables.Planner planner = (f, plan) -> {
      forward.add(plan, f.of(ips));
      if (bridge != null) {
        IsolationRules.add(plan, bridge, policy);
      }
    };
    Set<String> chains = bridge == null ? Set.of(ForwardRules.CHAIN, conf.adminChain())
        : Set.of(ForwardRules.CHAIN, conf.adminChain(), IsolationRules.STAGE_1, IsolationRules.STAGE_2);
    tables.work(familiesOf(ips), planner, chains, () -> {
      Map<IptablesFamily, FilterPlan> applied = new EnumMap<>(IptablesFamily.class);
      try {
        tables.change(familiesOf(ips), planner, applied);
      } catch (CniException | RuntimeException e) {
        tables.undo(applied, ctx.deadline().forUndo(), e);
        throw unexpected(e);
      }
    }).hand(ctx);
    return prev.convertTo(conf.cniVersion()).toJsonNode();
  }

  @Override
  public void check(CmdArgs args, PluginContext ctx) throws CniException {
    FirewallConf conf = FirewallConf.parse(args.stdinData());
    if (conf.prevResult() == null) {
      throw FirewallConf.missingPrevResult();
    }
    ForwardRules forward = iptablesBackend(conf);
    List<IpNet> ips = addresses(conf.prevResult());
    try {
      new FilterTables(exec, ctx.deadline()).change(familiesOf(ips), (f, plan) -> forward.check(plan, f.of(ips)),
          new EnumMap<>(IptablesFamily.class));
    } catch (RuntimeException e) {
      throw unexpected(e);
    }
  }

  @Override
  public void del(CmdArgs args, PluginContext ctx) throws CniException {
    FirewallConf conf = FirewallConf.parse(args.stdinData());
    iptablesBackend(conf);
    // Without a prevResult there are no addresses, so nothing to remove (as upstream).
    List<IpNet> ips = conf.prevResult() == null ? List.of() : addresses(conf.prevResult());
    FilterTables tables = new FilterTables(exec, ctx.deadline());
    FilterTables.Planner planner = (f, plan) -> ForwardRules.del(plan, f.of(ips));
    tables.work(familiesOf(ips), planner, Set.of(ForwardRules.CHAIN, conf.adminChain()), () -> {
      try {
        tables.change(familiesOf(ips), planner, new EnumMap<>(IptablesFamily.class));
      } catch (RuntimeException e) {
        throw unexpected(e);
      }
    }).hand(ctx);
    // The isolation rules are per bridge and may serve other containers, so DEL leaves them (as upstream).
    policy(conf);
  }

  /** Upstream's choice of backend; only iptables can be served here. */
  private ForwardRules iptablesBackend(FirewallConf conf) throws CniException {
    switch (conf.backend()) {
      case "iptables":
        break;
      case "firewalld":
        throw Firewalld.requested(conf.firewalldZone());
      default:
        if (firewalldRunning.getAsBoolean()) {
          throw Firewalld.detected(conf.firewalldZone());
        }
    }
    return new ForwardRules(conf.adminChain());
  }

  private static IngressPolicy policy(FirewallConf conf) throws CniException {
    IngressPolicy p = IngressPolicy.parse(conf.ingressPolicyText());
    if (p == null) {
      throw IngressPolicy.unknown(conf.ingressPolicyText());
    }
    return p;
  }

  /** The bridge of an isolation policy: the prevResult's first interface, as the bridge plugin lists it. */
  private static String bridgeName(Result100 prev, FirewallConf conf) throws CniException {
    if (prev.interfaces().isEmpty()) {
      throw new CniException(ErrorCode.INTERNAL, "interface needs to be set for ingress policy "
          + GoJson.quote(conf.ingressPolicyText()) + ", make sure to chain \"firewall\" plugin with \"bridge\"");
    }
    String name = prev.interfaces().get(0).name();
    if (name == null || name.isEmpty()) {
      throw new CniException(ErrorCode.INTERNAL, "got empty bridge name");
    }
    return name;
  }

  private static List<IpNet> addresses(Result100 prev) {
    return prev.ips().stream().map(IpConfig::address).toList();
  }

  /** The address families of {@code ips}, IPv4 first. */
  private static List<IptablesFamily> familiesOf(List<IpNet> ips) {
    return Arrays.stream(IptablesFamily.values()).filter(f -> !f.of(ips).isEmpty()).toList();
  }

  private static CniException unexpected(Exception e) {
    if (e instanceof CniException c) {
      return c;
    }
    return new CniException(ErrorCode.INTERNAL, String.valueOf(e.getMessage()), "", e);
  }
}
