package io.jcni.plugins.internal.attach;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The two network namespaces of one operation, each with one rtnetlink socket opened inside it once: the host
 * (host veth, bridge or routes, firewall rules) and the container (CNI_NETNS). All kernel work of
 * the operation goes through these two sockets, from the calling thread, without further namespace switches. The
 * container's socket is opened by a thread started in {@link #open} and collected on first use, so the caller's
 * host-side work overlaps that thread's start.
 */
public final class Namespaces implements AutoCloseable {
  /** The only sysctl subtrees the veth plugins read or write, in either namespace. */
  private static final Set<String> SYSCTL_TOPS = Set.of("ipv4", "ipv6");

  public final NetNs host;
  public final RtNetlink hostLinks;
  public final NetNs container;
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
  public static Namespaces open(NetNs fixedHost, NetNs container) throws IOException {
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

  /** One step of an operation that works in the host and container namespaces of {@link #withContainer}. */
  @FunctionalInterface
  public interface Step<T> {
    T run(Namespaces ns) throws CniException;
  }

  /**
   * Runs {@code step} with CNI_NETNS ({@code netnsPath}) and the host side ({@code fixedHost}, or the caller's
   * namespace when null) open, closing both afterwards; a programming error below still reaches the runtime as a
   * CNI error.
   */
  public static <T> T withContainer(NetNs fixedHost, String netnsPath, Step<T> step) throws CniException {
    // Opened before anything is touched, so a bad CNI_NETNS leaves nothing behind.
    NetNs container = openContainer(netnsPath);
    Namespaces ns;
    try {
      ns = open(fixedHost, container);
    } catch (IOException e) {
      throw Failures.internal("failed to open netlink sockets: " + Failures.v(e), e);
    }
    try (ns) {
      return step.run(ns);
    } catch (RuntimeException e) {
      throw Failures.internal(String.valueOf(e.getMessage()), e);
    }
  }

  /**
   * Opens {@code CNI_NETNS} for ADD and CHECK, failing with Go's {@code failed to open netns "p": …} text.
   */
  public static NetNs openContainer(String netnsPath) throws CniException {
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
  public FirewallExec firewall() {
    return firewall;
  }

  /**
   * The host's {@code net.*} sysctls: the process-wide tree of {@link OwnSysctl} when the host is the caller's own
   * namespace, else opened on first use with one namespace entry for all keys.
   */
  public synchronized Sysctl hostSysctl() throws IOException {
    if (hostSysctl == null) {
      hostSysctl = ownsHost ? OwnSysctl.of(host, SYSCTL_TOPS) : Sysctl.open(host, SYSCTL_TOPS);
    }
    return hostSysctl;
  }

  /**
   * The rtnetlink socket inside the container, waiting for the thread that opens it if need be; fails with {@code
   * failed to open netlink sockets: …} when it could not be opened.
   */
  public synchronized RtNetlink containerLinks() throws CniException {
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
  public synchronized Sysctl containerSysctl() throws IOException {
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
