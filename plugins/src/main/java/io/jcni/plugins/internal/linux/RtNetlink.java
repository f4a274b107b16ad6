package io.jcni.plugins.internal.linux;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NetlinkCodec.Attrs;
import io.jcni.plugins.internal.linux.NetlinkCodec.Message;
import io.jcni.plugins.internal.linux.NetlinkCodec.Request;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Links, addresses, routes and bridge settings of one network namespace, changed and read over rtnetlink.
 *
 * <p>An instance holds a netlink socket made inside its namespace ({@link #open(NetNs)} enters the namespace
 * once for that, and so must not be called from a virtual thread), so all other methods work from any thread,
 * virtual threads included, and are serialised on the socket. Every refusal is a {@link NetlinkException} whose {@link NetlinkException#kind() kind} tells "exists" and
 * "not found" apart; a missing link is {@code NOT_FOUND} (ENODEV).
 *
 * <p>Methods that name a link by string send the name to the kernel where rtnetlink accepts names (link changes,
 * deletes) and look the index up first where it needs an index (addresses, bridge ports, VLANs); the overloads
 * that take an ifindex save that round trip.
 */
public final class RtNetlink implements AutoCloseable {
  private final NetlinkSocket socket;

  /** Over a given socket (tests put a fake kernel behind one). */
  RtNetlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens rtnetlink in {@code ns} (enters it once, on a fresh thread, to create the socket). */
  public static RtNetlink open(NetNs ns) throws IOException {
    return new RtNetlink(NetlinkSocket.open(ns));
  }

  /** Opens rtnetlink in the calling thread's namespace. */
  public static RtNetlink openCurrent() throws IOException {
    return new RtNetlink(NetlinkSocket.openHere());
  }

  @Override
  public void close() {
    socket.close();
  }

  // ---- links -------------------------------------------------------------------------------------------------

  /**
   * The link called {@code name}.
   *
   * @throws NetlinkException kind {@code NOT_FOUND} if there is none
   */
  public Link link(String name) throws IOException {
    Request r = new Request(Kernel.RTM_GETLINK, Kernel.NLM_F_REQUEST, "get link " + name)
        .ifinfomsg(Kernel.AF_UNSPEC, 0, 0, 0).attrString(Kernel.IFLA_IFNAME, checkName(name));
    return single(socket.get(r), r);
  }

  /** The link with ifindex {@code index}; kind {@code NOT_FOUND} if there is none. */
  public Link link(int index) throws IOException {
    Request r = new Request(Kernel.RTM_GETLINK, Kernel.NLM_F_REQUEST, "get link #" + index)
        .ifinfomsg(Kernel.AF_UNSPEC, index, 0, 0);
    return single(socket.get(r), r);
  }

  /** The link called {@code name}, or empty if there is none. */
  public Optional<Link> findLink(String name) throws IOException {
    try {
      return Optional.of(link(name));
    } catch (NetlinkException e) {
      if (e.kind() == ErrnoException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Every link in the namespace, in ifindex order. */
  public List<Link> links() throws IOException {
    Request r = new Request(Kernel.RTM_GETLINK, Kernel.NLM_F_REQUEST, "list links")
        .ifinfomsg(Kernel.AF_UNSPEC, 0, 0, 0);
    List<Link> out = new ArrayList<>();
    for (Message m : socket.dump(r)) {
      if (m.type == Kernel.RTM_NEWLINK) {
        out.add(parseLink(m));
      }
    }
    return out;
  }

  private static Link single(List<Message> replies, Request r) throws IOException {
    for (Message m : replies) {
      if (m.type == Kernel.RTM_NEWLINK) {
        return parseLink(m);
      }
    }
    throw new IOException(r.what() + ": no RTM_NEWLINK in the reply");
  }

  private static Link parseLink(Message m) {
    int index = m.i32(4);
    int flags = m.i32(8);
    Attrs a = m.attrs(Kernel.IFINFOMSG_LEN);
    Attrs info = a.nested(Kernel.IFLA_LINKINFO);
    String kind = info.string(Kernel.IFLA_INFO_KIND);
    boolean vlanFiltering = "bridge".equals(kind)
        && info.nested(Kernel.IFLA_INFO_DATA).u8(Kernel.IFLA_BR_VLAN_FILTERING, 0) != 0;
    byte[] mac = a.bytes(Kernel.IFLA_ADDRESS);
    String name = a.string(Kernel.IFLA_IFNAME);
    return new Link(index, name == null ? "" : name, kind == null ? "" : kind, a.u32(Kernel.IFLA_MTU, 0),
        mac == null ? "" : MacAddress.format(mac), flags, OperState.of(a.u8(Kernel.IFLA_OPERSTATE, 0)),
        a.u32(Kernel.IFLA_MASTER, 0), vlanFiltering, a.u32(Kernel.IFLA_LINK, 0),
        a.u32(Kernel.IFLA_LINK_NETNSID, -1), a.u32(Kernel.IFLA_TXQLEN, 0));
  }

  /**
   * Creates a bridge and returns it.
   *
   * @throws NetlinkException kind {@code EXISTS} if a link of that name exists
   */
  public Link createBridge(BridgeSpec spec) throws IOException {
    String name = spec.name();
    Request r = newLink(name, spec.mtu(), null, "create bridge " + name);
    int info = r.begin(Kernel.IFLA_LINKINFO);
    r.attrBareString(Kernel.IFLA_INFO_KIND, "bridge");
    if (spec.vlanFiltering()) {
      int data = r.begin(Kernel.IFLA_INFO_DATA);
      r.attrU8(Kernel.IFLA_BR_VLAN_FILTERING, 1);
      r.end(data);
    }
    r.end(info);
    socket.ack(r);
    return link(name);
  }

  /**
   * Creates a veth pair: {@code spec.name()} in this namespace and its peer created directly in
   * {@code spec.peerNs()} ({@code IFLA_NET_NS_FD}). This is how the bridge plugin makes the container end inside
   * the container with its peer in the host: open this object in the container and pass the host as the peer's
   * namespace.
   *
   * <p>With a {@link VethSpec#masterIndex() master}, the pair is a bridge port made in one request: the kernel
   * registers the pair, then enslaves {@code spec.name()}, and unregisters both ends if any of that fails, so either
   * the whole port exists or nothing does; one request also takes the rtnl lock once instead of once per step. Both
   * ends are left down; the caller sets the port up with a request of its own. A veth is registered without
   * carrier, and if the port is already up when the kernel's link watcher handles that event, its queues are
   * deactivated, which waits for an expedited RCU grace period while holding the rtnl lock that every other link
   * change on the node waits for. Reading the link ({@link #link}) first makes the kernel handle the event there and
   * then, while the end is down.
   *
   * @return the end {@code spec.name()}; with a master, as the kernel echoed it ({@code NLM_F_ECHO}) when it was
   *     registered, just before it was enslaved: its index, MAC, MTU and {@link Link#peerIndex() peer index} are
   *     final, its master is not (a kernel that does not echo gets it looked up instead)
   * @throws NetlinkException kind {@code EXISTS} if either name is taken in its namespace; with a master, any other
   *     refusal (e.g. a master that is not a bridge) leaves neither end behind
   */
  public Link createVeth(VethSpec spec) throws IOException {
    String what = "create veth " + spec.name() + " peer " + spec.peerName();
    if (spec.masterIndex() <= 0) {
      sendVeth(newLink(spec.name(), spec.mtu(), spec.mac(), what), spec);
      return link(spec.name());
    }
    Request r = newLink(spec.name(), spec.mtu(), spec.mac(), what + " master #" + spec.masterIndex())
        .addFlags(Kernel.NLM_F_ECHO).attrU32(Kernel.IFLA_MASTER, spec.masterIndex());
    for (Message m : sendVeth(r, spec)) {
      if (m.type == Kernel.RTM_NEWLINK) {
        return parseLink(m);
      }
    }
    return link(spec.name());
  }

  /**
   * Completes a veth RTM_NEWLINK with its IFLA_LINKINFO (the peer's name, MTU, MAC and namespace), sends it and
   * returns the replies before the ACK. The peer namespace's descriptor stays open until the kernel has read it.
   *
   * <p>Both ends ask for one TX queue. Without that the kernel allocates one per possible CPU, registers the device,
   * and then cuts it to the one real queue a veth uses, and cutting the queues of a registered device waits for an
   * expedited RCU grace period while holding the rtnl lock, once per end. The real queue count (one) is the same
   * either way; only the allocated maximum ({@code ip -d link}'s numtxqueues, the ceiling of {@code ethtool -L})
   * is one instead of the number of CPUs.
   */
  private List<Message> sendVeth(Request r, VethSpec spec) throws IOException {
    r.attrU32(Kernel.IFLA_NUM_TX_QUEUES, 1);
    int info = r.begin(Kernel.IFLA_LINKINFO);
    r.attrBareString(Kernel.IFLA_INFO_KIND, "veth");
    int data = r.begin(Kernel.IFLA_INFO_DATA);
    int peer = r.begin(Kernel.VETH_INFO_PEER);
    r.raw(new byte[Kernel.IFINFOMSG_LEN]);
    r.attrU32(Kernel.IFLA_NUM_TX_QUEUES, 1);
    r.attrString(Kernel.IFLA_IFNAME, checkName(spec.peerName()));
    if (spec.mtu() > 0) {
      r.attrU32(Kernel.IFLA_MTU, spec.mtu());
    }
    if (spec.peerMac() != null) {
      r.attr(Kernel.IFLA_ADDRESS, parseMac(spec.peerMac()));
    }
    if (spec.peerNs() == null) {
      r.end(peer).end(data).end(info);
      return socket.get(r);
    }
    return spec.peerNs().withFd(fd -> {
      r.attrU32(Kernel.IFLA_NET_NS_FD, fd).end(peer).end(data).end(info);
      return socket.get(r);
    });
  }

  /** An RTM_NEWLINK that creates {@code name} ({@code NLM_F_EXCL}), down. */
  private static Request newLink(String name, int mtu, String mac, String what) {
    Request r = new Request(Kernel.RTM_NEWLINK, Kernel.NLM_F_REQUEST | Kernel.NLM_F_CREATE | Kernel.NLM_F_EXCL,
        what).ifinfomsg(Kernel.AF_UNSPEC, 0, 0, 0).attrString(Kernel.IFLA_IFNAME, checkName(name));
    if (mtu < 0) {
      throw new IllegalArgumentException("invalid MTU " + mtu);
    }
    if (mtu > 0) {
      r.attrU32(Kernel.IFLA_MTU, mtu);
    }
    if (mac != null) {
      r.attr(Kernel.IFLA_ADDRESS, parseMac(mac));
    }
    return r;
  }

  /** A link change addressed by name (RTM_SETLINK never creates, so a missing link is ENODEV). */
  private Request setLink(String name, int flags, int change, String what) {
    return new Request(Kernel.RTM_SETLINK, Kernel.NLM_F_REQUEST, what + " " + name)
        .ifinfomsg(Kernel.AF_UNSPEC, 0, flags, change).attrString(Kernel.IFLA_IFNAME, checkName(name));
  }

  /** Sets the link administratively up. */
  public void setUp(String name) throws IOException {
    socket.ack(setLink(name, Kernel.IFF_UP, Kernel.IFF_UP, "set up"));
  }

  /** Sets the link administratively down. */
  public void setDown(String name) throws IOException {
    socket.ack(setLink(name, 0, Kernel.IFF_UP, "set down"));
  }

  /** Switches promiscuous mode on or off. */
  public void setPromisc(String name, boolean on) throws IOException {
    socket.ack(setLink(name, on ? Kernel.IFF_PROMISC : 0, Kernel.IFF_PROMISC, "set promisc " + (on ? "on" : "off")));
  }

  /** Switches all-multicast mode on or off. */
  public void setAllmulti(String name, boolean on) throws IOException {
    socket.ack(setLink(name, on ? Kernel.IFF_ALLMULTI : 0, Kernel.IFF_ALLMULTI,
        "set allmulticast " + (on ? "on" : "off")));
  }

  /** Sets the transmit queue length ({@code IFLA_TXQLEN}, an unsigned 32-bit value). */
  public void setTxQueueLen(String name, int qlen) throws IOException {
    socket.ack(setLink(name, 0, 0, "set txqueuelen " + Integer.toUnsignedString(qlen)).attrU32(Kernel.IFLA_TXQLEN, qlen));
  }

  /** Sets the MTU. */
  public void setMtu(String name, int mtu) throws IOException {
    socket.ack(setLink(name, 0, 0, "set mtu " + mtu).attrU32(Kernel.IFLA_MTU, mtu));
  }

  /** Sets the hardware address ("aa:bb:cc:dd:ee:ff"). */
  public void setMac(String name, String mac) throws IOException {
    socket.ack(setLink(name, 0, 0, "set mac " + mac).attr(Kernel.IFLA_ADDRESS, parseMac(mac)));
  }

  /** Sets the hardware address to {@code mac}, any length the link type takes (6 bytes for Ethernet). */
  public void setMac(String name, byte[] mac) throws IOException {
    socket.ack(setLink(name, 0, 0, "set mac " + MacAddress.format(mac)).attr(Kernel.IFLA_ADDRESS, mac.clone()));
  }

  /** Attaches the link to a master (a bridge) by the master's name. */
  public void setMaster(String name, String master) throws IOException {
    setMaster(name, link(master).index());
  }

  /** Attaches the link to the master with ifindex {@code masterIndex}. */
  public void setMaster(String name, int masterIndex) throws IOException {
    socket.ack(setLink(name, 0, 0, "set master #" + masterIndex).attrU32(Kernel.IFLA_MASTER, masterIndex));
  }

  /** Detaches the link from its master. */
  public void setNoMaster(String name) throws IOException {
    socket.ack(setLink(name, 0, 0, "set nomaster").attrU32(Kernel.IFLA_MASTER, 0));
  }

  /** Moves the link into another namespace (where it keeps its name). */
  public void moveToNs(String name, NetNs ns) throws IOException {
    ns.withFd(fd -> {
      socket.ack(setLink(name, 0, 0, "move to " + ns.path()).attrU32(Kernel.IFLA_NET_NS_FD, fd));
      return null;
    });
  }

  /** Deletes the link (a veth takes its peer with it). */
  public void delete(String name) throws IOException {
    socket.ack(new Request(Kernel.RTM_DELLINK, Kernel.NLM_F_REQUEST, "delete link " + name)
        .ifinfomsg(Kernel.AF_UNSPEC, 0, 0, 0).attrString(Kernel.IFLA_IFNAME, checkName(name)));
  }

  /**
   * Reads the link until its operational state is UP, sleeping {@code backoff[i]} before the i-th read (the
   * bridge plugin uses 0, 50, 500, 1000, 1000 ms), and returns the last state read: the caller checks
   * {@link Link#operState()}.
   */
  public Link waitOperUp(String name, List<Duration> backoff) throws IOException {
    return waitOperUp(name, backoff, Deadline.none());
  }

  /**
   * {@link #waitOperUp(String, List)} cut short by {@code deadline}: no pause runs past it, and the link as last
   * read is returned once it has passed.
   */
  public Link waitOperUp(String name, List<Duration> backoff, Deadline deadline) throws IOException {
    Link l = null;
    for (Duration d : backoff) {
      if (!d.isZero()) {
        Duration pause = deadline.limit(d);
        if (pause.isZero()) {
          break;
        }
        try {
          Thread.sleep(pause.toMillis(), pause.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted waiting for " + name + " to come up");
        }
      }
      l = link(name);
      if (l.operState() == OperState.UP || deadline.isExpired()) {
        return l;
      }
    }
    return l == null ? link(name) : l;
  }

  // ---- bridge ports and VLANs --------------------------------------------------------------------------------

  /** Sets hairpin mode ({@code IFLA_BRPORT_MODE}) on a bridge port. */
  public void setHairpin(String port, boolean on) throws IOException {
    setPortFlag(port, Kernel.IFLA_BRPORT_MODE, on, "set hairpin " + (on ? "on " : "off ") + port);
  }

  /** Sets port isolation ({@code IFLA_BRPORT_ISOLATED}) on a bridge port. */
  public void setIsolated(String port, boolean on) throws IOException {
    setPortFlag(port, Kernel.IFLA_BRPORT_ISOLATED, on, "set isolated " + (on ? "on " : "off ") + port);
  }

  private void setPortFlag(String port, int attr, boolean on, String what) throws IOException {
    int index = link(port).index();
    Request r = new Request(Kernel.RTM_SETLINK, Kernel.NLM_F_REQUEST, what)
        .ifinfomsg(Kernel.AF_BRIDGE, index, 0, 0);
    int p = r.begin(Kernel.IFLA_PROTINFO | Kernel.NLA_F_NESTED);
    r.attrU8(attr, on ? 1 : 0);
    r.end(p);
    socket.ack(r);
  }

  /** The bridge-port settings of {@code port}, or empty if it is not a bridge port. */
  public Optional<BridgePort> bridgePort(String port) throws IOException {
    int index = link(port).index();
    for (Message m : bridgeDump(false)) {
      if (m.i32(4) == index) {
        Attrs a = m.attrs(Kernel.IFINFOMSG_LEN);
        Attrs p = a.nested(Kernel.IFLA_PROTINFO);
        if (a.has(Kernel.IFLA_MASTER) && a.u32(Kernel.IFLA_MASTER, 0) != index) {
          return Optional.of(new BridgePort(index, a.u32(Kernel.IFLA_MASTER, 0),
              p.u8(Kernel.IFLA_BRPORT_MODE, 0) != 0, p.u8(Kernel.IFLA_BRPORT_ISOLATED, 0) != 0,
              p.u8(Kernel.IFLA_BRPORT_STATE, 0)));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Adds a VLAN to a bridge port ({@code self == false}: the bridge master applies it, like
   * {@code bridge vlan add … master}) or to the bridge device itself ({@code self == true}).
   */
  public void bridgeVlanAdd(String link, BridgeVlan vlan, boolean self) throws IOException {
    bridgeVlan(Kernel.RTM_SETLINK, link(link).index(), vlan.vid(), vlan.pvid(), vlan.untagged(), self,
        "bridge vlan add vid " + vlan.vid() + " dev " + link);
  }

  /** Removes a VLAN from a bridge port, or from the bridge itself when {@code link} is the bridge. */
  public void bridgeVlanDel(String link, int vid) throws IOException {
    Link l = link(link);
    bridgeVlan(Kernel.RTM_DELLINK, l.index(), vid, false, false, l.isBridge(),
        "bridge vlan del vid " + vid + " dev " + link);
  }

  private void bridgeVlan(int type, int index, int vid, boolean pvid, boolean untagged, boolean self, String what)
      throws IOException {
    if (vid < 1 || vid > 4094) {
      throw new IllegalArgumentException("invalid VLAN ID " + vid + " (must be between 1 and 4094)");
    }
    int flags = (pvid ? Kernel.BRIDGE_VLAN_INFO_PVID : 0) | (untagged ? Kernel.BRIDGE_VLAN_INFO_UNTAGGED : 0);
    Request r = new Request(type, Kernel.NLM_F_REQUEST, what).ifinfomsg(Kernel.AF_BRIDGE, index, 0, 0);
    int spec = r.begin(Kernel.IFLA_AF_SPEC);
    r.attrU16(Kernel.IFLA_BRIDGE_FLAGS, self ? Kernel.BRIDGE_FLAGS_SELF : Kernel.BRIDGE_FLAGS_MASTER);
    r.attr(Kernel.IFLA_BRIDGE_VLAN_INFO,
        ByteBuffer.allocate(4).order(NetlinkCodec.ORDER).putShort((short) flags).putShort((short) vid).array());
    r.end(spec);
    socket.ack(r);
  }

  /** The VLANs of a bridge port or bridge, in the order the kernel lists them. */
  public List<BridgeVlan> bridgeVlans(String link) throws IOException {
    int index = link(link).index();
    List<BridgeVlan> out = new ArrayList<>();
    for (Message m : bridgeDump(true)) {
      if (m.i32(4) != index) {
        continue;
      }
      int rangeStart = -1;
      for (ByteBuffer v : m.attrs(Kernel.IFINFOMSG_LEN).nested(Kernel.IFLA_AF_SPEC)
          .all(Kernel.IFLA_BRIDGE_VLAN_INFO)) {
        int flags = v.getShort(0) & 0xffff;
        int vid = v.getShort(2) & 0xffff;
        boolean pvid = (flags & Kernel.BRIDGE_VLAN_INFO_PVID) != 0;
        boolean untagged = (flags & Kernel.BRIDGE_VLAN_INFO_UNTAGGED) != 0;
        if ((flags & Kernel.BRIDGE_VLAN_INFO_RANGE_BEGIN) != 0) {
          rangeStart = vid;
        } else if ((flags & Kernel.BRIDGE_VLAN_INFO_RANGE_END) != 0 && rangeStart > 0) {
          for (int i = rangeStart; i <= vid; i++) {
            out.add(new BridgeVlan(i, pvid, untagged));
          }
          rangeStart = -1;
        } else {
          out.add(new BridgeVlan(vid, pvid, untagged));
        }
      }
    }
    return out;
  }

  private List<Message> bridgeDump(boolean vlans) throws IOException {
    Request r = new Request(Kernel.RTM_GETLINK, Kernel.NLM_F_REQUEST, vlans ? "list bridge vlans" : "list bridge ports")
        .ifinfomsg(Kernel.AF_BRIDGE, 0, 0, 0);
    if (vlans) {
      r.attrU32(Kernel.IFLA_EXT_MASK, Kernel.RTEXT_FILTER_BRVLAN);
    }
    return socket.dump(r);
  }

  // ---- addresses ---------------------------------------------------------------------------------------------

  /** Adds an address to a link by name; see {@link #addAddress(int, IpNet, Set)}. */
  public void addAddress(String link, IpNet address, Set<AddressFlag> flags) throws IOException {
    addAddress(link(link).index(), address, flags);
  }

  /**
   * Adds {@code address} to the link with ifindex {@code index}, with {@code flags} (e.g. {@code NODAD}). An IPv4
   * address shorter than /31 gets its broadcast address, as Go's netlink adds it.
   *
   * @throws NetlinkException kind {@code EXISTS} if the link has it already
   */
  public void addAddress(int index, IpNet address, Set<AddressFlag> flags) throws IOException {
    int bits = AddressFlag.bits(flags);
    Request r = new Request(Kernel.RTM_NEWADDR, Kernel.NLM_F_REQUEST | Kernel.NLM_F_CREATE | Kernel.NLM_F_EXCL,
        "add address " + address + " to #" + index)
        .ifaddrmsg(af(address), address.prefixLength(), bits & 0xff, 0, index)
        .attrIp(Kernel.IFA_LOCAL, address.ip()).attrIp(Kernel.IFA_ADDRESS, address.ip());
    if (address.isIpv4() && address.prefixLength() < 31) {
      r.attrIp(Kernel.IFA_BROADCAST, address.broadcast());
    }
    if (bits > 0xff) {
      r.attrU32(Kernel.IFA_FLAGS, bits);
    }
    socket.ack(r);
  }

  /** Removes an address from a link by name. */
  public void deleteAddress(String link, IpNet address) throws IOException {
    deleteAddress(link(link).index(), address);
  }

  /** Removes an address from the link with ifindex {@code index}; kind {@code NOT_FOUND} if it is not there. */
  public void deleteAddress(int index, IpNet address) throws IOException {
    socket.ack(new Request(Kernel.RTM_DELADDR, Kernel.NLM_F_REQUEST, "delete address " + address + " from #" + index)
        .ifaddrmsg(af(address), address.prefixLength(), 0, 0, index)
        .attrIp(Kernel.IFA_LOCAL, address.ip()).attrIp(Kernel.IFA_ADDRESS, address.ip()));
  }

  /** The addresses of a link by name. */
  public List<Address> addresses(String link, Family family) throws IOException {
    return addresses(link(link).index(), family);
  }

  /** The addresses of the link with ifindex {@code index} (0 for all links) of {@code family}. */
  public List<Address> addresses(int index, Family family) throws IOException {
    Request r = new Request(Kernel.RTM_GETADDR, Kernel.NLM_F_REQUEST, "list addresses of #" + index)
        .ifaddrmsg(family.af, 0, 0, 0, index);
    List<Address> out = new ArrayList<>();
    for (Message m : socket.dump(r)) {
      if (m.type != Kernel.RTM_NEWADDR) {
        continue;
      }
      int af = m.u8(0);
      int ifIndex = m.i32(4);
      if ((index != 0 && ifIndex != index) || (family != Family.ANY && af != family.af)) {
        continue;
      }
      Attrs a = m.attrs(Kernel.IFADDRMSG_LEN);
      byte[] ip = a.has(Kernel.IFA_LOCAL) ? a.bytes(Kernel.IFA_LOCAL) : a.bytes(Kernel.IFA_ADDRESS);
      if (ip == null) {
        continue;
      }
      int flags = a.has(Kernel.IFA_FLAGS) ? a.u32(Kernel.IFA_FLAGS, 0) : m.u8(2);
      out.add(new Address(ifIndex, new IpNet(Ips.fromBytes(ip), m.u8(1)), AddressFlag.of(flags), m.u8(3)));
    }
    return out;
  }

  // ---- routes ------------------------------------------------------------------------------------------------

  /**
   * Adds a route (protocol boot, type unicast, as {@code ip route add} and Go's netlink do).
   *
   * @throws NetlinkException kind {@code EXISTS} if an identical route exists
   */
  public void addRoute(Route route) throws IOException {
    Request r = routeRequest(Kernel.RTM_NEWROUTE, Kernel.NLM_F_CREATE | Kernel.NLM_F_EXCL, route, "add route ");
    socket.ack(r);
  }

  /**
   * Adds a route with a preferred source address ({@code RTA_PREFSRC}, {@code ip route add … src}), otherwise as
   * {@link #addRoute(Route)}.
   *
   * @throws NetlinkException kind {@code EXISTS} if an identical route exists
   */
  public void addRoute(Route route, InetAddress prefSrc) throws IOException {
    Request r = routeRequest(Kernel.RTM_NEWROUTE, Kernel.NLM_F_CREATE | Kernel.NLM_F_EXCL, route, "add route ");
    r.attrIp(Kernel.RTA_PREFSRC, prefSrc);
    socket.ack(r);
  }

  /**
   * Adds a route the way Go's {@code netlink.RouteAddEcmp} does, which the bridge plugin uses for result routes:
   * {@code NLM_F_CREATE} without {@code NLM_F_EXCL}, so an IPv6 route to a destination that already has a route
   * of the same metric becomes another next hop of it (ECMP). An identical route is still {@code EXISTS}.
   */
  public void addRouteEcmp(Route route) throws IOException {
    socket.ack(routeRequest(Kernel.RTM_NEWROUTE, Kernel.NLM_F_CREATE, route, "add route "));
  }

  /** Adds the route or replaces the one with the same destination, metric and table ({@code ip route replace}). */
  public void replaceRoute(Route route) throws IOException {
    socket.ack(routeRequest(Kernel.RTM_NEWROUTE, Kernel.NLM_F_CREATE | Kernel.NLM_F_REPLACE, route,
        "replace route "));
  }

  /** Deletes the route matching {@code route}'s destination, gateway, device, table and priority. */
  public void deleteRoute(Route route) throws IOException {
    socket.ack(routeRequest(Kernel.RTM_DELROUTE, 0, route, "delete route "));
  }

  private static Request routeRequest(int type, int flags, Route route, String what) {
    boolean add = type == Kernel.RTM_NEWROUTE;
    IpNet dst = route.dst();
    Request r = new Request(type, Kernel.NLM_F_REQUEST | flags, what + describe(route))
        .rtmsg(af(dst), dst.prefixLength(), route.table() < 256 ? route.table() : Kernel.RT_TABLE_UNSPEC,
            add ? Kernel.RTPROT_BOOT : 0, add ? route.scope() : 255 /* RT_SCOPE_NOWHERE: any */,
            add ? Kernel.RTN_UNICAST : 0)
        .attrU32(Kernel.RTA_TABLE, route.table());
    if (dst.prefixLength() > 0) {
      r.attrIp(Kernel.RTA_DST, dst.ip());
    }
    if (route.gateway() != null) {
      r.attrIp(Kernel.RTA_GATEWAY, route.gateway());
    }
    if (route.oif() > 0) {
      r.attrU32(Kernel.RTA_OIF, route.oif());
    }
    if (route.priority() > 0) {
      r.attrU32(Kernel.RTA_PRIORITY, route.priority());
    }
    if (add && (route.mtu() > 0 || route.advmss() > 0)) {
      int m = r.begin(Kernel.RTA_METRICS);
      if (route.mtu() > 0) {
        r.attrU32(Kernel.RTAX_MTU, route.mtu());
      }
      if (route.advmss() > 0) {
        r.attrU32(Kernel.RTAX_ADVMSS, route.advmss());
      }
      r.end(m);
    }
    return r;
  }

  private static String describe(Route route) {
    return route.dst() + (route.gateway() == null ? "" : " via " + route.gateway().getHostAddress())
        + (route.oif() > 0 ? " dev #" + route.oif() : "") + (route.table() != Route.TABLE_MAIN ? " table "
        + route.table() : "");
  }

  /**
   * The ifindex of the interface the kernel would send a packet to {@code dst} through ({@code ip route get}), or
   * 0 when it has no route there.
   */
  public int routeGetOif(InetAddress dst) throws IOException {
    boolean v4 = dst.getAddress().length == 4;
    Request r = new Request(Kernel.RTM_GETROUTE, Kernel.NLM_F_REQUEST, "get route to " + Ips.format(dst))
        .rtmsg(v4 ? Kernel.AF_INET : Kernel.AF_INET6, v4 ? 32 : 128, 0, 0, 0, 0)
        .attrIp(Kernel.RTA_DST, dst);
    List<Message> replies;
    try {
      replies = socket.get(r);
    } catch (NetlinkException e) {
      return 0; // ENETUNREACH, EHOSTUNREACH, ...: no route
    }
    for (Message m : replies) {
      if (m.type == Kernel.RTM_NEWROUTE) {
        return m.attrs(Kernel.RTMSG_LEN).u32(Kernel.RTA_OIF, 0);
      }
    }
    return 0;
  }

  /**
   * The routes of {@code family} in {@code table} (0 for every table), without cached clones.
   */
  public List<RouteEntry> routes(Family family, int table) throws IOException {
    Request r = new Request(Kernel.RTM_GETROUTE, Kernel.NLM_F_REQUEST, "list routes")
        .rtmsg(family.af, 0, table > 0 && table < 256 ? table : 0, 0, 0, 0);
    if (table > 0) {
      r.attrU32(Kernel.RTA_TABLE, table);
    }
    List<RouteEntry> out = new ArrayList<>();
    for (Message m : socket.dump(r)) {
      if (m.type != Kernel.RTM_NEWROUTE) {
        continue;
      }
      int af = m.u8(0);
      if ((family != Family.ANY && af != family.af) || (af != Kernel.AF_INET && af != Kernel.AF_INET6)
          || (m.i32(8) & Kernel.RTM_F_CLONED) != 0) {
        continue;
      }
      Attrs a = m.attrs(Kernel.RTMSG_LEN);
      int t = a.u32(Kernel.RTA_TABLE, m.u8(4));
      if (table > 0 && t != table) {
        continue;
      }
      Family f = Family.of(af);
      byte[] dst = a.bytes(Kernel.RTA_DST);
      IpNet p = dst == null ? f.wholeSpace() : new IpNet(Ips.fromBytes(dst), m.u8(1));
      byte[] gw = a.bytes(Kernel.RTA_GATEWAY);
      Attrs metrics = a.nested(Kernel.RTA_METRICS);
      out.add(new RouteEntry(f, p, gw == null ? null : Ips.fromBytes(gw), a.u32(Kernel.RTA_OIF, 0), m.u8(6), t,
          a.u32(Kernel.RTA_PRIORITY, 0), metrics.u32(Kernel.RTAX_MTU, 0), metrics.u32(Kernel.RTAX_ADVMSS, 0),
          m.u8(5), m.u8(7), nextHops(a)));
    }
    return out;
  }

  /** Decodes RTA_MULTIPATH: a sequence of struct rtnexthop {u16 len; u8 flags; u8 hops; s32 ifindex} + attrs. */
  private static List<NextHop> nextHops(Attrs a) {
    List<ByteBuffer> mp = a.all(Kernel.RTA_MULTIPATH);
    if (mp.isEmpty()) {
      return List.of();
    }
    ByteBuffer b = mp.get(mp.size() - 1);
    List<NextHop> out = new ArrayList<>();
    int pos = 0;
    while (pos + 8 <= b.limit()) {
      int len = b.getShort(pos) & 0xffff;
      if (len < 8 || pos + len > b.limit()) {
        break;
      }
      byte[] gw = Attrs.parse(b, pos + 8, pos + len).bytes(Kernel.RTA_GATEWAY);
      out.add(new NextHop(gw == null ? null : Ips.fromBytes(gw), b.getInt(pos + 4)));
      pos += NetlinkCodec.align(len);
    }
    return out;
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  private static int af(IpNet p) {
    return p.isIpv4() ? Kernel.AF_INET : Kernel.AF_INET6;
  }

  private static byte[] parseMac(String mac) {
    return MacAddress.parseEthernet(mac)
        .orElseThrow(() -> new IllegalArgumentException("invalid MAC address " + mac));
  }

  private static String checkName(String name) {
    if (name == null || name.isEmpty() || name.length() > 15 || name.equals(".") || name.equals("..")
        || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
      throw new IllegalArgumentException("invalid interface name " + (name == null ? null : '"' + name + '"'));
    }
    return name;
  }
}
