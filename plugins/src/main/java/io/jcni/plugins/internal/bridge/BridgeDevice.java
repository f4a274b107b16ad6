package io.jcni.plugins.internal.bridge;

import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.linux.BridgeSpec;
import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
import static io.jcni.plugins.internal.attach.Failures.v;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Interface;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.Address;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The bridge in the host namespace: created on first use and shared by every attachment, carrying the gateway
 * addresses of its networks (directly, or on a {@code <bridge>.<vlan>} veth for a VLAN network).
 */
final class BridgeDevice {
  private BridgeDevice() {}

  /**
   * Creates the bridge unless it exists (MTU and vlan_filtering only apply to a new one), checks that the name is
   * a bridge, sets promiscuous mode when asked, stops it from accepting router advertisements and sets it up.
   */
  static Link ensure(Namespaces ns, BridgeConf conf) throws CniException {
    RtNetlink host = ns.hostLinks;
    String name = conf.bridge();
    String prefix = "failed to create bridge " + q(name) + ": ";
    // Every ADD after the first finds the bridge: looking first spares the create (EEXIST) and, below, the set-up,
    // two requests that take the kernel's rtnl lock, which all attachments of the node queue on.
    Optional<Link> existing;
    try {
      existing = host.findLink(name);
    } catch (IOException e) {
      throw internal(prefix + v(e), e);
    }
    if (existing.isEmpty()) {
      try {
        host.createBridge(BridgeSpec.named(name).withMtu(conf.mtu()).withVlanFiltering(conf.vlanFiltering()));
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.EXISTS) {
          throw internal(prefix + "could not add " + q(name) + ": " + v(e), e);
        }
      } catch (IOException e) {
        throw internal(prefix + "could not add " + q(name) + ": " + v(e), e);
      }
    }
    Link br;
    try {
      br = existing.isPresent() && existing.get().isBridge() ? existing.get() : lookup(host, name);
    } catch (CniException e) {
      throw e.withPrefix(prefix);
    }
    try {
      // Checked before promisc: Go turns on promiscuous mode on whatever link holds the name, then fails.
      if (conf.promiscMode() && !br.promisc()) {
        host.setPromisc(name, true);
      }
    } catch (IOException e) {
      throw internal(prefix + "could not set promiscuous mode on " + q(name) + ": " + v(e), e);
    }
    try {
      ns.hostSysctl().write("net/ipv6/conf/" + name + "/accept_ra", "0");
    } catch (IOException | RuntimeException e) {
      // as in Go: without IPv6 there is no such key, and nothing to protect
    }
    try {
      if (br.up() && !conf.promiscMode()) {
        return br;
      }
      host.setUp(name);
      return host.link(name);
    } catch (IOException e) {
      throw internal(prefix + v(e), e);
    }
  }

  /** The bridge called {@code name}, with Go's texts when it is missing or not a bridge. */
  static Link lookup(RtNetlink host, String name) throws CniException {
    Optional<Link> l;
    try {
      l = host.findLink(name);
    } catch (IOException e) {
      throw internal("could not lookup " + q(name) + ": " + v(e), e);
    }
    if (l.isEmpty()) {
      throw internal("could not lookup " + q(name) + ": Link not found");
    }
    if (!"bridge".equals(l.get().kind())) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, q(name) + " already exists but is not a bridge");
    }
    return l.get();
  }

  /**
   * Puts the gateway addresses on the bridge (or on the VLAN's gateway veth, returned then as the result's fourth
   * interface) and turns on forwarding for each family that has one.
   */
  static Interface configureGateways(RtNetlink host, Namespaces ns, BridgeConf conf, Link br, Gateways gws)
      throws CniException {
    Interface vlanIface = null;
    Link target = br;
    for (List<IpNet> family : List.of(gws.v4Gateways(), gws.v6Gateways())) {
      for (IpNet gw : family) {
        if (conf.vlan() != 0) {
          try {
            target = VlanGateway.ensure(ns, br, conf.vlan(), conf.preserveDefaultVlan());
          } catch (CniException e) {
            throw e.withPrefix("failed to create vlan interface: ");
          }
          if (vlanIface == null) {
            vlanIface = Interface.of(target.name(), target.mac());
          }
          try {
            ensureAddress(host, target, gw, conf.forceAddress());
          } catch (CniException e) {
            throw e.withPrefix("failed to set vlan interface for bridge with addr: ");
          }
        } else {
          try {
            ensureAddress(host, br, gw, conf.forceAddress());
          } catch (CniException e) {
            throw e.withPrefix("failed to set bridge addr: ");
          }
        }
      }
      if (!family.isEmpty()) {
        enableForwarding(ns, family.get(0).isIpv4());
      }
    }
    return vlanIface;
  }

  /**
   * Makes sure {@code link} carries {@code gw}: nothing to do when it does; an IPv4 address or an overlapping IPv6
   * one is replaced with forceAddress and an error otherwise; then pins the link's MAC so the bridge keeps it.
   */
  static void ensureAddress(RtNetlink host, Link link, IpNet gw, boolean force) throws CniException {
    List<Address> addrs;
    try {
      addrs = host.addresses(link.index(), gw.isIpv4() ? Family.IPV4 : Family.IPV6);
    } catch (IOException e) {
      throw internal("could not get list of IP addresses: " + v(e), e);
    }
    for (Address a : addrs) {
      IpNet have = a.prefix();
      if (have.toString().equals(gw.toString())) {
        return;
      }
      if (gw.isIpv4() || have.contains(gw.ip()) || gw.contains(have.ip())) {
        if (!force) {
          throw new CniException(
              ErrorCode.INVALID_NETWORK_CONFIG,
              q(link.name()) + " already has an IP address different from " + gw);
        }
        try {
          host.deleteAddress(link.index(), a.prefix());
        } catch (IOException e) {
          throw internal("could not remove IP address from " + q(link.name()) + ": " + v(e), e);
        }
      }
    }
    try {
      host.addAddress(link.index(), gw, Set.of());
    } catch (ErrnoException e) {
      if (e.kind() != ErrnoException.Kind.EXISTS) {
        throw internal("could not add IP address " + gw + " to " + q(link.name()) + ": " + v(e), e);
      }
    } catch (IOException e) {
      throw internal("could not add IP address " + gw + " to " + q(link.name()) + ": " + v(e), e);
    }
    try {
      // Otherwise the bridge takes the lowest port MAC and changes it as ports come and go.
      host.setMac(link.name(), link.mac());
    } catch (IOException e) {
      throw internal("could not set bridge's mac: " + v(e), e);
    }
  }

  /** Writes 1 to the family's forwarding switch unless it already reads 1. */
  static void enableForwarding(Namespaces ns, boolean v4) throws CniException {
    String key = v4 ? "net/ipv4/ip_forward" : "net/ipv6/conf/all/forwarding";
    try {
      ns.hostSysctl().ensure(key, "1");
    } catch (IOException e) {
      throw internal("failed to enable forwarding: " + v(e), e);
    }
  }
}
