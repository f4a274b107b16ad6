package io.jcni.plugins.bridge;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.netfilter.FirewallExec;
import io.jcni.plugins.linux.NetNs;
import io.jcni.plugins.linux.RtNetlink;
import io.jcni.plugins.linux.Sysctl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The two network namespaces of one operation, each with one rtnetlink socket opened inside it once: the host
 * (where the bridge, the host veth and the firewall rules live) and the container (CNI_NETNS). All kernel work of
 * the operation goes through these two sockets, from the calling thread, without further namespace switches. The
 * container's socket is opened by a thread started in {@link #open} and collected on first use, so the caller's
 * host-side work (the bridge) overlaps that thread's start.
 */
final class Namespaces implements AutoCloseable {
  /** The only sysctl subtrees the bridge plugin reads or writes, in either namespace. */
  private static final Set<String> SYSCTL_TOPS = Set.of("ipv4", "ipv6");

  final NetNs host;
  final RtNetlink hostLinks;
  final NetNs container;
  private final NetNs.Pending<ContainerHandles, IOException> opening;
  private boolean collected;
  private RtNetlink containerLinks;
  private final boolean ownsHost;
  private final FirewallExec firewall;
  private Sysctl hostSysctl;
  private Sysctl containerSysctl;

  private Namespaces(
      NetNs host, boolean ownsHost, RtNetlink hostLinks, NetNs container,
      NetNs.Pending<ContainerHandles, IOException> opening, FirewallExec firewall) {
    this.host = host;
    this.ownsHost = ownsHost;
    this.hostLinks = hostLinks;
    this.container = container;
    this.opening = opening;
    this.collected = opening == null;
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
    NetNs.Pending<ContainerHandles, IOException> opening = null;
    try {
      // One namespace entry (one thread) for both the socket and the sysctl tree; each entry costs a thread start,
      // two setns and a join, which under load was a tenth of an ADD. Started first, collected on first use.
      opening = container == null ? null : container.startIn(() -> ContainerHandles.openHere(container));
      hostNl = fixedHost == null ? RtNetlink.openCurrent() : RtNetlink.open(host);
      return new Namespaces(host, ownsHost, hostNl, container, opening, FirewallExec.in(fixedHost));
    } catch (IOException | RuntimeException e) {
      if (opening != null) {
        closeQuietly(opening);
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
  FirewallExec firewall() {
    return firewall;
  }

  /**
   * The host's {@code net.*} sysctls: the process-wide tree of {@link OwnSysctl} when the host is the caller's own
   * namespace, else opened on first use with one namespace entry for all keys.
   */
  synchronized Sysctl hostSysctl() throws IOException {
    if (hostSysctl == null) {
      hostSysctl = ownsHost ? OwnSysctl.of(host, SYSCTL_TOPS) : Sysctl.open(host, SYSCTL_TOPS);
    }
    return hostSysctl;
  }

  /**
   * The rtnetlink socket inside the container, waiting for the thread that opens it if need be; fails with {@code
   * failed to open netlink sockets: …} when it could not be opened.
   */
  synchronized RtNetlink containerLinks() throws CniException {
    try {
      collect();
    } catch (IOException e) {
      throw Failures.internal("failed to open netlink sockets: " + Failures.v(e), e);
    }
    return containerLinks;
  }

  /** Takes over the container's handles from the opening thread, once. */
  private void collect() throws IOException {
    if (collected) {
      return;
    }
    collected = true;
    ContainerHandles h = opening.join();
    containerLinks = h.links();
    containerSysctl = h.sysctl();
  }

  /** Waits for {@code opening} and closes what it opened, keeping quiet about its failure. */
  private static void closeQuietly(NetNs.Pending<ContainerHandles, IOException> opening) {
    try {
      ContainerHandles h = opening.join();
      h.links().close();
      h.sysctl().close();
    } catch (IOException | RuntimeException ignored) {
      // the open failed: there is nothing to close
    }
  }

  /** The container's {@code net.*} sysctls, opened together with its socket (or on first use). */
  synchronized Sysctl containerSysctl() throws IOException {
    collect();
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
  public synchronized void close() {
    if (!collected) {
      collected = true;
      closeQuietly(opening);
    }
    if (hostSysctl != null && !ownsHost) {
      hostSysctl.close(); // the own namespace's tree is kept (OwnSysctl)
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
