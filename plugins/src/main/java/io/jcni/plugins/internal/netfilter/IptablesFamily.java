package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.net.InetAddress;
import java.util.List;

/**
 * An address family as iptables splits them: its program set, its multicast range, and where iptables-nft keeps
 * its tables (the nf_tables family {@code ip} or {@code ip6}) and the addresses in the packet's network header.
 */
public enum IptablesFamily {
  V4("iptables", "iptables-save", "iptables-restore", "224.0.0.0/4", NfTablesBatch.FAMILY_IPV4, 4, 12, 16),
  V6("ip6tables", "ip6tables-save", "ip6tables-restore", "ff00::/8", NfTablesBatch.FAMILY_IPV6, 16, 8, 24);

  final String iptables;
  final String save;
  final String restore;
  final String multicast;
  /** The nf_tables family of iptables-nft's tables: {@code NFPROTO_IPV4} or {@code NFPROTO_IPV6}. */
  public final int nfproto;
  /** The length of an address in bytes. */
  public final int addressLength;
  /** The offsets of the source and destination address in the network header (struct iphdr, ip6_hdr). */
  public final int saddrOffset;
  public final int daddrOffset;

  IptablesFamily(String iptables, String save, String restore, String multicast, int nfproto, int addressLength,
      int saddrOffset, int daddrOffset) {
    this.iptables = iptables;
    this.save = save;
    this.restore = restore;
    this.multicast = multicast;
    this.nfproto = nfproto;
    this.addressLength = addressLength;
    this.saddrOffset = saddrOffset;
    this.daddrOffset = daddrOffset;
  }

  /** Whether {@code ip} is an address of this family. */
  boolean holds(InetAddress ip) {
    return ip != null && ip.getAddress().length == addressLength;
  }

  /** The family of {@code ip}. */
  public static IptablesFamily of(IpNet ip) {
    return ip.isIpv4() ? V4 : V6;
  }

  /** The addresses of this family, in the order given. */
  public List<IpNet> of(List<IpNet> ips) {
    return ips.stream().filter(ip -> of(ip) == this).toList();
  }

  /** The program name of this family ({@code iptables}, {@code ip6tables}), as errors name it. */
  public String program() {
    return iptables;
  }

  /** The {@code iptables-save} program of this family. */
  public String save() {
    return save;
  }

  /** The {@code iptables-restore} program of this family. */
  public String restore() {
    return restore;
  }
}
