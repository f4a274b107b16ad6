package io.jcni.plugins.bridge;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.firewall.FirewallCommandException;
import io.jcni.plugins.firewall.FirewallExec;
import io.jcni.plugins.linux.NetNs;
import io.jcni.plugins.linux.RtNetlink;
import io.jcni.plugins.linux.Sysctl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The two network namespaces of one operation, each with one rtnetlink socket opened inside it once: the host
 * (where the bridge, the host veth and the firewall rules live) and the container (CNI_NETNS). All kernel work of
 * the operation goes through these two sockets, from the calling thread, without further namespace switches.
 */
final class Namespaces implements AutoCloseable {
  /** The only sysctl subtrees the bridge plugin reads or writes, in either namespace. */
  private static final Set<String> SYSCTL_TOPS = Set.of("ipv4", "ipv6");

  final NetNs host;
  final RtNetlink hostLinks;
  final NetNs container;
  final RtNetlink containerLinks;
  private final boolean ownsHost;
  private final FirewallExec firewall;
  private Sysctl hostSysctl;
  private Sysctl containerSysctl;

  private Namespaces(
      NetNs host, boolean ownsHost, RtNetlink hostLinks, NetNs container, RtNetlink containerLinks,
      FirewallExec firewall) {
    this.host = host;
    this.ownsHost = ownsHost;
    this.hostLinks = hostLinks;
    this.container = container;
    this.containerLinks = containerLinks;
    this.firewall = firewall;
  }

  /**
   * Opens the host side ({@code fixedHost}, or the calling thread's namespace when null) and a socket in {@code
   * container} (may be null), which this object then owns and closes.
   */
  static Namespaces open(NetNs fixedHost, NetNs container) throws IOException {
    NetNs host = fixedHost == null ? NetNs.current() : fixedHost;
    boolean ownsHost = fixedHost == null;
    RtNetlink hostNl = null;
    ContainerHandles cont = null;
    try {
      hostNl = fixedHost == null ? RtNetlink.openCurrent() : RtNetlink.open(host);
      // One namespace entry (one thread) for both the socket and the sysctl tree; each entry costs a thread start,
      // two setns and a join, which under load was a tenth of an ADD.
      cont = container == null ? null : container.runIn(() -> ContainerHandles.openHere(container));
      Namespaces ns = new Namespaces(host, ownsHost, hostNl, container, cont == null ? null : cont.links(),
          firewallIn(fixedHost));
      ns.containerSysctl = cont == null ? null : cont.sysctl();
      return ns;
    } catch (IOException | RuntimeException e) {
      if (cont != null) {
        cont.links().close();
        cont.sysctl().close();
      }
      if (hostNl != null) {
        hostNl.close();
      }
      if (container != null) {
        container.close();
      }
      if (ownsHost) {
        host.close();
      }
      throw e;
    }
  }

  /**
   * Opens {@code CNI_NETNS} for ADD and CHECK, failing with Go's {@code failed to open netns "p": …} text.
   */
  static NetNs openContainer(String netnsPath) throws CniException {
    if (netnsPath.isEmpty()) {
      throw new CniException(ErrorCode.INVALID_NETNS_PATH, "failed to open netns \"\": empty CNI_NETNS");
    }
    try {
      return NetNs.open(Path.of(netnsPath));
    } catch (IOException e) {
      throw new CniException(
          ErrorCode.INVALID_NETNS_PATH, "failed to open netns " + Failures.q(netnsPath) + ": " + e.getMessage(), "", e);
    }
  }

  /**
   * Runs firewall programs in the host namespace: directly when that is the caller's own, else from a thread that
   * entered it (a child process inherits the namespace of the thread that starts it).
   */
  static FirewallExec firewallIn(NetNs fixedHost) {
    if (fixedHost == null) {
      return FirewallExec.host();
    }
    return (argv, stdin) -> {
      try {
        return fixedHost.runIn(() -> FirewallExec.host().run(argv, stdin));
      } catch (IOException e) {
        throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED, e.getMessage(), stdin, e);
      }
    };
  }

  FirewallExec firewall() {
    return firewall;
  }

  /**
   * The host's {@code net.*} sysctls, opened on first use: from the calling thread when the host is the caller's own
   * namespace (no namespace entry needed), else with one namespace entry for all keys.
   */
  synchronized Sysctl hostSysctl() throws IOException {
    if (hostSysctl == null) {
      hostSysctl = ownsHost ? Sysctl.openHere(host, SYSCTL_TOPS) : Sysctl.open(host, SYSCTL_TOPS);
    }
    return hostSysctl;
  }

  /** The container's {@code net.*} sysctls, opened together with its socket (or on first use). */
  synchronized Sysctl containerSysctl() throws IOException {
    if (containerSysctl == null) {
      containerSysctl = Sysctl.open(container, SYSCTL_TOPS);
    }
    return containerSysctl;
  }

  /** The container's socket and sysctl tree, both opened inside it by one thread. */
  private record ContainerHandles(RtNetlink links, Sysctl sysctl) {
    static ContainerHandles openHere(NetNs container) throws IOException {
      RtNetlink links = RtNetlink.openCurrent();
      try {
        return new ContainerHandles(links, Sysctl.openHere(container, SYSCTL_TOPS));
      } catch (IOException | RuntimeException e) {
        links.close();
        throw e;
      }
    }
  }

  @Override
  public void close() {
    if (hostSysctl != null) {
      hostSysctl.close();
    }
    if (containerSysctl != null) {
      containerSysctl.close();
    }
    if (containerLinks != null) {
      containerLinks.close();
    }
    hostLinks.close();
    if (container != null) {
      container.close();
    }
    if (ownsHost) {
      host.close();
    }
  }
}
