package io.jcni.plugins.netfilter;

import io.jcni.libcni.types.IpNet;
import java.util.List;

/** An address family as iptables splits them: its program set and its multicast range. */
public enum IptablesFamily {
  V4("iptables", "iptables-save", "iptables-restore", "224.0.0.0/4"),
  V6("ip6tables", "ip6tables-save", "ip6tables-restore", "ff00::/8");

  final String iptables;
  final String save;
  final String restore;
  final String multicast;

  IptablesFamily(String iptables, String save, String restore, String multicast) {
    this.iptables = iptables;
    this.save = save;
    this.restore = restore;
    this.multicast = multicast;
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
