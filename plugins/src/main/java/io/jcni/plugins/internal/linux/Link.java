package io.jcni.plugins.internal.linux;

/**
 * A network interface as rtnetlink reports it ({@code RTM_NEWLINK}).
 *
 * @param index the ifindex
 * @param name the interface name
 * @param kind the {@code IFLA_INFO_KIND} ("bridge", "veth", …), or "" for links without one (loopback, physical)
 * @param mtu the MTU
 * @param mac the hardware address as lower-case {@code "aa:bb:cc:dd:ee:ff"}, or "" if none
 * @param flags the {@code IFF_*} flags
 * @param operState the operational state
 * @param masterIndex the ifindex of the master (bridge) or 0
 * @param vlanFiltering for a bridge, whether VLAN filtering is on
 * @param peerIndex {@code IFLA_LINK}: for a veth the peer's ifindex (in the peer's namespace), otherwise 0 or the
 *     link's own index
 * @param linkNetnsId {@code IFLA_LINK_NETNSID}: the id of the peer's namespace as seen from here, or -1 when the
 *     peer is in the same namespace
 * @param txQueueLen {@code IFLA_TXQLEN}: the transmit queue length
 */
public record Link(int index, String name, String kind, int mtu, String mac, int flags, OperState operState,
    int masterIndex, boolean vlanFiltering, int peerIndex, int linkNetnsId, int txQueueLen) {

  /** A link whose transmit queue length is not of interest (0), as test fixtures describe links. */
  public Link(int index, String name, String kind, int mtu, String mac, int flags, OperState operState,
      int masterIndex, boolean vlanFiltering, int peerIndex, int linkNetnsId) {
    this(index, name, kind, mtu, mac, flags, operState, masterIndex, vlanFiltering, peerIndex, linkNetnsId, 0);
  }

  /** Whether the link is administratively up ({@code IFF_UP}). */
  public boolean up() {
    return (flags & Kernel.IFF_UP) != 0;
  }

  /** Whether promiscuous mode was switched on for the link ({@code IFF_PROMISC}). */
  public boolean promisc() {
    return (flags & Kernel.IFF_PROMISC) != 0;
  }

  /** Whether all-multicast mode was switched on for the link ({@code IFF_ALLMULTI}). */
  public boolean allmulti() {
    return (flags & Kernel.IFF_ALLMULTI) != 0;
  }

  /** Whether this is a bridge. */
  public boolean isBridge() {
    return "bridge".equals(kind);
  }

  /** Whether this is a veth. */
  public boolean isVeth() {
    return "veth".equals(kind);
  }
}
