package io.jcni.plugins.internal.bridge;

import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.attach.Rollback;
import io.jcni.plugins.internal.linux.VethSpec;
import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
import static io.jcni.plugins.internal.attach.Failures.v;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.BridgeVlan;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import java.io.IOException;
import java.util.List;

/**
 * The veth pair of one attachment: the host end ({@code veth} + 8 hex) made a port of the bridge in one request,
 * with the container end (CNI_IFNAME, left down) created straight in the container; then the port gets hairpin,
 * isolation and VLANs as configured, and the host end goes up, before IPAM runs, as in Go (an IPAM plugin such as
 * dhcp needs the link). Should that request fail for any reason but a taken name, the pair is made again step by
 * step, as Go does (container end with its peer, then up, then master), so the error names the step that fails.
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
    RtNetlink host = ns.hostLinks;
    RtNetlink cont = ns.containerLinks();
    for (int i = 0; i < ATTEMPTS; i++) {
      String candidate = InterfaceNames.randomVeth();
      Link hostEnd;
      try {
        hostEnd = host.createVeth(VethSpec.of(candidate, ifName).withMtu(conf.mtu()).withMaster(br.index())
            .withPeerMac(conf.macString()).withPeerIn(ns.container));
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.EXISTS) {
          // The kernel undid the whole pair; the steps one by one give the user Go's text for the failing step.
          return createStepByStep(ns, conf, ifName, br, rollback);
        }
        // EEXIST names either the container end (a second ADD for this ifname) or, rarely, the random host name.
        if (exists(cont, ifName)) {
          throw alreadyExists(ifName, candidate);
        }
        continue;
      } catch (IOException e) {
        return createStepByStep(ns, conf, ifName, br, rollback);
      }
      int hostIndex = hostEnd.index();
      // Deleting the host end takes the container end with it; the random name and the index pin this ADD's pair.
      rollback.add(() -> deleteQuietly(host, candidate, hostIndex));
      Link contLink;
      try {
        contLink = cont.link(hostEnd.peerIndex());
      } catch (IOException e) {
        throw internal("failed to lookup " + q(ifName) + ": " + v(e), e);
      }
      disableAcceptRa(hostSysctl(ns), candidate);
      programPort(host, Port.of(conf), candidate);
      upAfterCarrierSync(host, candidate);
      return new Veth(candidate, hostEnd.mac(), contLink.index(), contLink.mac());
    }
    throw internal("failed to find a unique veth name");
  }

  /** Go's way: the container end with its peer in the host, then {@link #plug} (up, master, port settings). */
  private static Veth createStepByStep(Namespaces ns, BridgeConf conf, String ifName, Link br, Rollback rollback)
      throws CniException {
    RtNetlink cont = ns.containerLinks();
    String peer = null;
    Link contLink = null;
    for (int i = 0; i < ATTEMPTS && peer == null; i++) {
      String candidate = InterfaceNames.randomVeth();
      try {
        contLink = cont.createVeth(VethSpec.of(ifName, candidate).withMtu(conf.mtu()).withMac(conf.macString())
            .withPeerIn(ns.host));
        peer = candidate;
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.EXISTS) {
          throw internal("failed to make veth pair: " + v(e), e);
        }
        if (exists(cont, ifName)) {
          throw alreadyExists(ifName, candidate);
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

  private static CniException alreadyExists(String ifName, String peer) {
    return internal("container veth name (" + q(ifName) + ") peer provided (" + q(peer) + ") already exists");
  }

  /** Sets the host end up and makes it a port of {@code br} with the given port settings. */
  static Veth plug(RtNetlink host, Sysctl hostSysctl, Port port, Link br, String peer, Link contLink)
      throws CniException {
    Link hostVeth;
    try {
      hostVeth = host.link(peer);
    } catch (IOException e) {
      throw internal("failed to lookup " + q(peer) + ": " + v(e), e);
    }
    setUp(host, peer);
    disableAcceptRa(hostSysctl, peer);
    try {
      host.setMaster(peer, br.index());
    } catch (IOException e) {
      throw internal("failed to connect " + q(peer) + " to bridge " + br.name() + ": " + v(e), e);
    }
    programPort(host, port, peer);
    return new Veth(peer, hostVeth.mac(), contLink.index(), contLink.mac());
  }

  /**
   * Sets the new host end up, first reading it once: RTM_GETLINK makes the kernel handle the link-watch event of
   * the pair's registration (no carrier yet) at once, while the end is still down. Set up with that event still
   * pending, the link watcher would later find an up device without carrier and deactivate its queues, waiting for
   * an RCU grace period while holding the node-wide rtnl lock (perf sched: 325 such waits per 200 ADDs, 1 with the
   * read).
   */
  private static void upAfterCarrierSync(RtNetlink host, String hostEnd) throws CniException {
    try {
      host.link(hostEnd);
    } catch (IOException e) {
      throw internal("failed to lookup " + q(hostEnd) + ": " + v(e), e);
    }
    setUp(host, hostEnd);
  }

  /** Sets the host end up, with Go's error text. */
  private static void setUp(RtNetlink host, String hostEnd) throws CniException {
    try {
      host.setUp(hostEnd);
    } catch (IOException e) {
      throw internal("failed to set " + q(hostEnd) + " up: " + v(e), e);
    }
  }

  /** Keeps the host end from taking router advertisements; a failure is ignored, as in Go. */
  private static void disableAcceptRa(Sysctl hostSysctl, String peer) {
    try {
      if (hostSysctl != null) {
        hostSysctl.write("net/ipv6/conf/" + peer + "/accept_ra", "0");
      }
    } catch (IOException | RuntimeException e) {
      // as in Go: ignored
    }
  }

  /** Gives the port {@code peer} of its bridge the hairpin, isolation and VLAN settings of {@code port}. */
  private static void programPort(RtNetlink host, Port port, String peer) throws CniException {
    int vlan = port.vlan();
    List<Integer> trunk = port.trunk();
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
        host.bridgeVlanAdd(peer, new BridgeVlan(vlan, true, true), false);
      }
      for (int vid : trunk) {
        host.bridgeVlanAdd(peer, new BridgeVlan(vid, false, false), false);
      }
    } catch (IOException e) {
      throw internal("failed to setup vlan tag on interface " + q(peer) + ": " + v(e), e);
    }
    if (vlan == 0 && !trunk.isEmpty()) {
      try {
        // Without an access VLAN, a trunk port keeps VLAN 1 as its native (untagged) VLAN.
        host.bridgeVlanAdd(peer, new BridgeVlan(1, true, true), false);
      } catch (IOException e) {
        throw internal("failed to setup default native vlan tag on interface " + q(peer) + ": " + v(e), e);
      }
    }
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
