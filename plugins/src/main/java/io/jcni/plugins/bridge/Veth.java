package io.jcni.plugins.bridge;

import static io.jcni.plugins.bridge.Failures.internal;
import static io.jcni.plugins.bridge.Failures.q;
import static io.jcni.plugins.bridge.Failures.v;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.linux.BridgeVlan;
import io.jcni.plugins.linux.ErrnoException;
import io.jcni.plugins.linux.Link;
import io.jcni.plugins.linux.RtNetlink;
import io.jcni.plugins.linux.Sysctl;
import java.io.IOException;
import java.util.List;

/**
 * The veth pair of one attachment: the container end (CNI_IFNAME, left down) made inside the container with its
 * peer ({@code veth} + 8 hex) created straight in the host namespace, then plugged into the bridge as a port with
 * hairpin, isolation and VLANs as configured.
 *
 * @param hostName the host end's name
 * @param hostMac the host end's MAC when it was created
 * @param containerIndex the container end's ifindex in the container namespace
 * @param containerMac the container end's MAC
 */
record Veth(String hostName, String hostMac, int containerIndex, String containerMac) {

  /** The settings of a bridge port. */
  record Port(int vlan, List<Integer> trunk, boolean preserveDefaultVlan, boolean hairpin, boolean isolated) {
    static Port of(BridgeConf c) {
      return new Port(c.vlan(), c.trunkVlans(), c.preserveDefaultVlan(), c.hairpinMode(), c.portIsolation());
    }
  }

  private static final int ATTEMPTS = 10;

  /** Creates the pair and the port; registers the deletion of the pair with {@code rollback}. */
  static Veth create(Namespaces ns, BridgeConf conf, String ifName, Link br, Rollback rollback)
      throws CniException {
    RtNetlink cont = ns.containerLinks();
    String peer = null;
    Link contLink = null;
    for (int i = 0; i < ATTEMPTS && peer == null; i++) {
      String candidate = InterfaceNames.randomVeth();
      try {
        contLink = cont.createVethPair(ifName, conf.mtu(), conf.macString(), candidate, ns.host);
        peer = candidate;
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.EXISTS) {
          throw internal("failed to make veth pair: " + v(e), e);
        }
        // EEXIST names either the container end (a second ADD for this ifname) or, rarely, the random host name.
        if (exists(cont, ifName)) {
          throw internal(
              "container veth name (" + q(ifName) + ") peer provided (" + q(candidate) + ") already exists");
        }
      } catch (IOException e) {
        throw internal("failed to make veth pair: " + v(e), e);
      }
    }
    if (peer == null) {
      throw internal("failed to find a unique veth name");
    }
    int contIndex = contLink.index();
    // Deleting the container end takes the host end with it.
    rollback.add(() -> deleteQuietly(cont, ifName, contIndex));

    return plug(ns.hostLinks, hostSysctl(ns), Port.of(conf), br, peer, contLink);
  }

  /** Sets the host end up and makes it a port of {@code br} with the given port settings. */
  static Veth plug(RtNetlink host, Sysctl hostSysctl, Port port, Link br, String peer, Link contLink)
      throws CniException {
    int vlan = port.vlan();
    List<Integer> trunk = port.trunk();
    Link hostVeth;
    try {
      hostVeth = host.link(peer);
    } catch (IOException e) {
      throw internal("failed to lookup " + q(peer) + ": " + v(e), e);
    }
    try {
      host.setUp(peer);
    } catch (IOException e) {
      throw internal("failed to set " + q(peer) + " up: " + v(e), e);
    }
    try {
      if (hostSysctl != null) {
        hostSysctl.write("net/ipv6/conf/" + peer + "/accept_ra", "0");
      }
    } catch (IOException | RuntimeException e) {
      // as in Go: ignored
    }
    try {
      host.setMaster(peer, br.index());
    } catch (IOException e) {
      throw internal("failed to connect " + q(peer) + " to bridge " + br.name() + ": " + v(e), e);
    }
    // A port starts with hairpin and isolation off, so only turning them on needs a request (Go writes both on
    // every ADD; each write takes the rtnl lock).
    try {
      if (port.hairpin()) {
        host.setHairpin(peer, true);
      }
    } catch (IOException e) {
      throw internal("failed to setup hairpin mode for " + peer + ": " + v(e), e);
    }
    try {
      if (port.isolated()) {
        host.setIsolated(peer, true);
      }
    } catch (IOException e) {
      throw internal("failed to set isolated on for " + peer + ": " + v(e), e);
    }
    if ((vlan != 0 || !trunk.isEmpty()) && !port.preserveDefaultVlan()) {
      try {
        for (BridgeVlan info : host.bridgeVlans(peer)) {
          host.bridgeVlanDel(peer, info.vid());
        }
      } catch (IOException e) {
        throw internal("failed to remove default vlan on interface " + q(peer) + ": " + v(e), e);
      }
    }
    try {
      if (vlan != 0) {
        host.bridgeVlanAdd(peer, vlan, true, true, false);
      }
      for (int vid : trunk) {
        host.bridgeVlanAdd(peer, vid, false, false, false);
      }
    } catch (IOException e) {
      throw internal("failed to setup vlan tag on interface " + q(peer) + ": " + v(e), e);
    }
    if (vlan == 0 && !trunk.isEmpty()) {
      try {
        // Without an access VLAN, a trunk port keeps VLAN 1 as its native (untagged) VLAN.
        host.bridgeVlanAdd(peer, 1, true, true, false);
      } catch (IOException e) {
        throw internal("failed to setup default native vlan tag on interface " + q(peer) + ": " + v(e), e);
      }
    }
    return new Veth(peer, hostVeth.mac(), contLink.index(), contLink.mac());
  }

  /** The host's sysctls, or null when they cannot be opened (only ignored writes use them here, as in Go). */
  static Sysctl hostSysctl(Namespaces ns) {
    try {
      return ns.hostSysctl();
    } catch (IOException e) {
      return null;
    }
  }

  private static boolean exists(RtNetlink links, String name) {
    try {
      return links.findLink(name).isPresent();
    } catch (IOException e) {
      return false;
    }
  }

  /** Deletes the link made by this ADD, checking by index that the name still means it. */
  private static void deleteQuietly(RtNetlink links, String name, int index) throws IOException {
    try {
      if (links.link(name).index() != index) {
        return;
      }
      links.delete(name);
    } catch (ErrnoException e) {
      if (e.kind() != ErrnoException.Kind.NOT_FOUND) {
        throw e;
      }
    }
  }
}
