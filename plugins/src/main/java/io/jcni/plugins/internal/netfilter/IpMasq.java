package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The bridge plugin's {@code ipMasq} feature: source NAT for container addresses leaving their own network, with
 * exactly the rules, chain names and comments of the Go plugins, so either implementation can tear down what the
 * other set up.
 *
 * <p>Setup uses the configured backend or, when none is configured, iptables unless only nftables works here.
 * Teardown and GC try both backends (the attachment may come from another plugin version or configuration); an
 * error counts only if its backend is supported. Teardown needs only the addresses (from prevResult), never the
 * container's namespace.
 */
public final class IpMasq {
  /** One live attachment of a network, as runtimes list them for GC. */
  public record Attachment(String containerId, String ifName) {
    public Attachment {
      Objects.requireNonNull(containerId, "containerId");
      Objects.requireNonNull(ifName, "ifName");
    }
  }

  // The host's choice, made once per process: probing costs a process launch, and the bridge plugin makes a new
  // IpMasq for every ADD. Other executors (tests' namespaces) are probed once per instance.
  private static volatile IpMasqBackend hostDetected;

  private final FirewallExec exec;
  private final IpMasqBackend configured;
  private volatile IpMasqBackend detected;

  /**
   * An ipMasq for {@code backend} ({@code null}: choose automatically on first setup) that runs its programs
   * through {@code exec}.
   */
  public IpMasq(IpMasqBackend backend, FirewallExec exec) {
    this.configured = backend;
    this.exec = Objects.requireNonNull(exec, "exec");
  }

  /**
   * An ipMasq for the {@code ipMasqBackend} value of a network configuration ({@code null} when absent) on this
   * machine.
   *
   * @throws CniException {@code unknown ipmasq backend "x"} for an unknown value
   */
  public static IpMasq forConfig(String ipMasqBackend) throws CniException {
    return forConfig(ipMasqBackend, FirewallExec.host());
  }

  /** Like {@link #forConfig(String)}, running the firewall programs through {@code exec}. */
  public static IpMasq forConfig(String ipMasqBackend, FirewallExec exec) throws CniException {
    return new IpMasq(IpMasqBackend.parse(ipMasqBackend), exec);
  }

  /** The iptables chain of a container: {@code CNI-} and 24 hex digits of sha512(network + containerId). */
  public static String chainName(String network, String containerId) {
    return MasqNames.chainName(network, containerId);
  }

  /** The iptables rule comment: {@code name: "net" id: "cid"} (Go's %q quoting). */
  public static String iptablesComment(String network, String containerId) {
    return MasqNames.iptablesComment(network, containerId);
  }

  /** The nftables rule comment: {@code <hash(net)>-<hash(if:cid)>, net: N, if: I, id: C}, at most 128 bytes. */
  public static String nftComment(String network, String ifName, String containerId) {
    return MasqNames.nftComment(network, ifName, containerId);
  }

  /**
   * The backend setup uses: the configured one, else nftables if iptables does not work here but nftables does,
   * else iptables; detected once per process for {@link FirewallExec#host()}, once per instance otherwise.
   */
  public IpMasqBackend backend() {
    if (configured != null) {
      return configured;
    }
    boolean host = exec.runsOnHost();
    IpMasqBackend b = host ? hostDetected : detected;
    if (b == null) {
      boolean ipt = IpMasqBackend.IPTABLES.isSupported(exec);
      b = !ipt && IpMasqBackend.NFTABLES.isSupported(exec) ? IpMasqBackend.NFTABLES : IpMasqBackend.IPTABLES;
      if (host) {
        hostDetected = b;
      } else {
        detected = b;
      }
    }
    return b;
  }

  /**
   * Masquerades traffic from each of {@code ips} to destinations outside its network. Running it again for the
   * same attachment adds nothing (iptables) or replaces the attachment's rules (nftables).
   *
   * @param ips container addresses with their prefix length, as in a CNI result
   */
  public void setup(String network, String containerId, String ifName, List<IpNet> ips) throws CniException {
    backend().rules(exec).setup(network, containerId, ifName, List.copyOf(ips));
  }

  /**
   * {@link #setup} as a step of a chain's ADD: the iptables rules may be committed together with the chain's other
   * rule changes ({@link PluginContext#defer}).
   */
  public void setup(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    backend().rules(exec).setup(network, containerId, ifName, List.copyOf(ips), ctx);
  }

  private static final List<IpNet> BOTH_FAMILIES =
      List.of(IpNet.tryParse("0.0.0.0/0"), IpNet.tryParse("::/0"));

  /**
   * Removes the rules of this attachment for {@code ips} from both backends. Succeeds when they are already gone or
   * never existed. With no address known (a DEL with neither interface nor prevResult), the rules of both address
   * families go: they are found by the attachment's chain name and comment hash, so one unspecified address per
   * family selects them all.
   */
  public void teardown(String network, String containerId, String ifName, List<IpNet> ips) throws CniException {
    List<IpNet> addrs = ips.isEmpty() ? BOTH_FAMILIES : List.copyOf(ips);
    forBothBackends(r -> r.teardown(network, containerId, ifName, addrs));
  }

  /**
   * {@link #teardown} as a step of a chain's DEL: the iptables rules' removal may be committed together with the
   * chain's other rule changes ({@link PluginContext#defer}), its failure then reported when they are.
   */
  public void teardown(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    List<IpNet> addrs = ips.isEmpty() ? BOTH_FAMILIES : List.copyOf(ips);
    forBothBackends(r -> r.teardown(network, containerId, ifName, addrs, ctx));
  }

  /**
   * Removes the nftables rules of {@code network} whose attachment is not in {@code keep} (iptables rules cannot
   * be attributed to a network, as in Go).
   */
  public void gc(String network, Collection<Attachment> keep) throws CniException {
    forBothBackends(r -> r.gc(network, keep));
  }

  private interface Operation {
    void apply(MasqRules rules) throws CniException;
  }

  private void forBothBackends(Operation op) throws CniException {
    List<CniException> errors = new ArrayList<>();
    for (IpMasqBackend b : IpMasqBackend.values()) {
      MasqRules rules = b.rules(exec);
      try {
        op.apply(rules);
      } catch (CniException e) {
        if (rules.isSupported()) {
          errors.add(e);
        }
      }
    }
    if (errors.size() == 1) {
      throw errors.get(0);
    } else if (errors.size() > 1) {
      StringBuilder msg = new StringBuilder();
      for (CniException e : errors) {
        msg.append(msg.length() == 0 ? "" : "\n").append(e.getMessage());
      }
      CniException all = new CniException(errors.get(0).code(), msg.toString(), "", errors.get(0));
      errors.subList(1, errors.size()).forEach(all::addSuppressed);
      throw all;
    }
  }
}
