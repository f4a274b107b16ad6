package io.jcni.plugins.internal.linux;

/**
 * A veth pair to create ({@link RtNetlink#createVeth}): one end in the namespace of the {@link RtNetlink} that
 * creates it, the peer created directly in {@code peerNs}.
 *
 * @param name the end created in this namespace
 * @param mtu the MTU of both ends, or 0 for the default
 * @param mac the MAC of {@code name} ("aa:bb:cc:dd:ee:ff"), or null for a random one
 * @param masterIndex the ifindex of the bridge {@code name} is enslaved to in the same request, or 0 for none
 * @param peerName the peer's name
 * @param peerMac the MAC of the peer, or null for a random one
 * @param peerNs the peer's namespace, or null for this namespace
 */
public record VethSpec(String name, int mtu, String mac, int masterIndex, String peerName, String peerMac,
    NetNs peerNs) {
  /** A pair {@code name}/{@code peerName} in this namespace with default MTU, random MACs and no master. */
  public static VethSpec of(String name, String peerName) {
    return new VethSpec(name, 0, null, 0, peerName, null, null);
  }

  /** This pair with MTU {@code mtu} on both ends (0 for the default). */
  public VethSpec withMtu(int mtu) {
    return new VethSpec(name, mtu, mac, masterIndex, peerName, peerMac, peerNs);
  }

  /** This pair with {@code mac} (null for random) on the end {@code name}. */
  public VethSpec withMac(String mac) {
    return new VethSpec(name, mtu, mac, masterIndex, peerName, peerMac, peerNs);
  }

  /** This pair with the end {@code name} made a port of the bridge with ifindex {@code masterIndex}. */
  public VethSpec withMaster(int masterIndex) {
    return new VethSpec(name, mtu, mac, masterIndex, peerName, peerMac, peerNs);
  }

  /** This pair with {@code peerMac} (null for random) on the peer. */
  public VethSpec withPeerMac(String peerMac) {
    return new VethSpec(name, mtu, mac, masterIndex, peerName, peerMac, peerNs);
  }

  /** This pair with the peer created in {@code peerNs} (null for this namespace). */
  public VethSpec withPeerIn(NetNs peerNs) {
    return new VethSpec(name, mtu, mac, masterIndex, peerName, peerMac, peerNs);
  }
}
