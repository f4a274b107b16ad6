package io.jcni.plugins.internal.attach;

import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
import static io.jcni.plugins.internal.attach.Failures.v;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.Address;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The container end of a veth attachment at DEL (Go's {@code ip.DelLinkByNameAddr}): removed together with its
 * peer, reporting the addresses it had so the masquerade rules made for them can go too.
 */
public final class ContainerLink {
  private ContainerLink() {}

  /**
   * Deletes {@code ifName} in the namespace at {@code netnsPath} and returns its global unicast addresses; empty
   * when the interface or the namespace is gone.
   */
  public static List<IpNet> delete(String netnsPath, String ifName) throws CniException {
    NetNs contNs;
    try {
      contNs = NetNs.open(Path.of(netnsPath));
    } catch (ErrnoException e) {
      if (e.kind() == ErrnoException.Kind.NOT_FOUND) {
        // the runtime already removed the namespace, and the veth with it
        return List.of();
      }
      throw internal(v(e), e);
    } catch (IOException e) {
      throw internal(v(e), e);
    }
    try (contNs;
        RtNetlink cont = RtNetlink.open(contNs)) {
      Optional<Link> link = cont.findLink(ifName);
      if (link.isEmpty()) {
        return List.of();
      }
      List<IpNet> out = new ArrayList<>();
      List<Address> addrs;
      try {
        addrs = cont.addresses(link.get().index(), Family.ANY);
      } catch (IOException e) {
        throw internal("failed to get IP addresses for " + q(ifName) + ": " + v(e), e);
      }
      for (Address a : addrs) {
        if (isGlobalUnicast(a.prefix().ip())) {
          out.add(a.prefix());
        }
      }
      try {
        cont.delete(ifName);
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.NOT_FOUND) {
          throw internal("failed to delete " + q(ifName) + ": " + v(e), e);
        }
      }
      return out;
    } catch (IOException e) {
      throw internal(v(e), e);
    }
  }

  /** Go's {@code net.IP.IsGlobalUnicast}. */
  public static boolean isGlobalUnicast(InetAddress ip) {
    if (ip.isAnyLocalAddress() || ip.isLoopbackAddress() || ip.isMulticastAddress() || ip.isLinkLocalAddress()) {
      return false;
    }
    if (ip instanceof Inet4Address) {
      byte[] b = ip.getAddress();
      return !(b[0] == (byte) 255 && b[1] == (byte) 255 && b[2] == (byte) 255 && b[3] == (byte) 255);
    }
    return true;
  }
}
