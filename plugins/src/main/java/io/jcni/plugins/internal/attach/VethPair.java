package io.jcni.plugins.internal.attach;

import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
import static io.jcni.plugins.internal.attach.Failures.v;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.VethSpec;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * A plain veth pair between container and host (Go's {@code ip.SetupVethWithName}), for plugins that route rather
 * than bridge: the container end (CNI_IFNAME, left down) is made in the container with its peer in the host, and
 * the host end gets its MAC if one is asked for, IPv6 router advertisements off, and goes up.
 *
 * @param hostName the host end's name
 * @param hostIndex the host end's ifindex
 * @param hostMac the host end's MAC
 * @param containerIndex the container end's ifindex
 * @param containerMac the container end's MAC
 */
public record VethPair(String hostName, int hostIndex, String hostMac, int containerIndex, String containerMac) {
  private static final int ATTEMPTS = 10;

  /**
   * Creates the pair; registers its deletion with {@code rollback}.
   *
   * @param hostNames the host end's name candidates: a fixed name, or fresh random ones (tried up to 10 times)
   * @param mtu the MTU of both ends, 0 for the kernel's
   * @param hostMac the host end's MAC, or null for the kernel's
   */
  public static VethPair create(Namespaces ns, String ifName, Supplier<String> hostNames, boolean fixedName, int mtu,
      String hostMac, Rollback rollback) throws CniException {
    RtNetlink cont = ns.containerLinks();
    for (int i = 0; i < (fixedName ? 1 : ATTEMPTS); i++) {
      String peer = hostNames.get();
      Link contLink;
      try {
        contLink = cont.createVeth(VethSpec.of(ifName, peer).withMtu(mtu).withPeerIn(ns.host));
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.EXISTS) {
          throw internal("failed to make veth pair: " + v(e), e);
        }
        if (exists(cont, ifName) || fixedName) {
          throw internal("container veth name (" + q(ifName) + ") peer provided (" + q(peer) + ") already exists");
        }
        continue;
      } catch (IOException e) {
        throw internal("failed to make veth pair: " + v(e), e);
      }
      int contIndex = contLink.index();
      // Deleting the container end takes the host end with it.
      rollback.add(() -> deleteIfSame(cont, ifName, contIndex));
      return plug(ns, peer, hostMac, contLink);
    }
    throw internal("failed to find a unique veth name");
  }

  private static VethPair plug(Namespaces ns, String peer, String hostMac, Link contLink) throws CniException {
    RtNetlink host = ns.hostLinks;
    Link hostEnd;
    try {
      if (hostMac != null) {
        host.setMac(peer, hostMac);
      }
      host.setUp(peer);
      hostEnd = host.link(peer);
    } catch (IOException e) {
      throw internal("failed to set " + q(peer) + " up: " + v(e), e);
    }
    try {
      ns.hostSysctl().write("net/ipv6/conf/" + peer + "/accept_ra", "0");
    } catch (IOException | RuntimeException e) {
      // as in Go: ignored (no IPv6 here)
    }
    return new VethPair(peer, hostEnd.index(), hostEnd.mac(), contLink.index(), contLink.mac());
  }

  private static boolean exists(RtNetlink links, String name) {
    try {
      return links.findLink(name).isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteIfSame(RtNetlink links, String name, int index) throws IOException {
    try {
      if (links.link(name).index() == index) {
        links.delete(name);
      }
    } catch (ErrnoException e) {
      if (e.kind() != ErrnoException.Kind.NOT_FOUND) {
        throw e;
      }
    }
  }
}
