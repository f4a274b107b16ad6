package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.IpNet;
import java.util.ArrayList;
import java.util.List;

/**
 * The nftables table {@code cni_hostport} of the Go plugin's nftables backend, one per address family ({@code ip},
 * {@code ip6}): base chains {@code prerouting} and {@code output} that send locally destined packets to {@code
 * hostports_all}, which jumps to {@code hostip_hostports} (kept empty, for upgrades) and {@code hostports}, one DNAT
 * rule there per mapping, and with snat the {@code masquerading} base chain's hairpin and localhost rules. Every rule
 * of a container carries its container id as comment, by which DEL and CHECK find it. The text is what knftables
 * sends {@code nft -f -} for the Go plugin.
 */
final class HostPortTable {
  static final String TABLE = "cni_hostport";
  static final String TABLE_COMMENT = "CNI portmap plugin";
  static final String HOSTPORTS = "hostports";
  static final String HOSTIP_HOSTPORTS = "hostip_hostports";
  static final String HOSTPORTS_ALL = "hostports_all";
  static final String MASQUERADING = "masquerading";
  /** The chains that hold containers' rules. */
  static final List<String> CONTAINER_CHAINS = List.of(HOSTPORTS, HOSTIP_HOSTPORTS, MASQUERADING);

  private HostPortTable() {}

  /** The nft family keyword of a container address: {@code ip} or {@code ip6}. */
  static String family(boolean v6) {
    return v6 ? "ip6" : "ip";
  }

  /**
   * The transaction that sets up the shared chains (the entry chains' rules rewritten, so a changed condition takes
   * effect) and appends the container's rules for {@code container}'s family.
   */
  static String forwardScript(PortMapConf conf, String containerId, IpNet container) {
    boolean v6 = !container.isIpv4();
    String t = family(v6) + " " + TABLE;
    List<String> conditions = conf.conditions(v6);
    String entry = (conditions.isEmpty() ? "" : String.join(" ", conditions) + " ")
        + "fib daddr type local jump " + HOSTPORTS_ALL;
    String comment = " comment \"" + containerId + "\"";

    StringBuilder b = new StringBuilder();
    b.append("add table ").append(t).append(" { comment \"").append(TABLE_COMMENT).append("\" ; }\n");
    chain(b, t, HOSTPORTS, null);
    chain(b, t, HOSTIP_HOSTPORTS, null);
    chain(b, t, HOSTPORTS_ALL, null);
    b.append("flush chain ").append(t).append(' ').append(HOSTPORTS_ALL).append('\n');
    rule(b, t, HOSTPORTS_ALL, "jump " + HOSTIP_HOSTPORTS);
    rule(b, t, HOSTPORTS_ALL, "jump " + HOSTPORTS);
    for (String hook : List.of("prerouting", "output")) {
      chain(b, t, hook, "type nat hook " + hook + " priority -100");
      b.append("flush chain ").append(t).append(' ').append(hook).append('\n');
      rule(b, t, hook, entry);
    }
    if (conf.snat()) {
      chain(b, t, MASQUERADING, "type nat hook postrouting priority 100");
    }
    String ip = Ips.format(container.ip());
    for (PortMapping m : conf.mappings()) {
      if (!m.appliesTo(v6)) {
        continue;
      }
      String daddr = m.destination() == null ? "" : family(v6) + " daddr " + m.hostIP() + " ";
      rule(b, t, HOSTPORTS, daddr + m.protocol() + " dport " + m.hostPort() + " dnat to "
          + (v6 ? "[" + ip + "]" : ip) + ":" + m.containerPort() + comment);
    }
    if (conf.snat()) {
      for (String source : masqSources(conf, container)) {
        rule(b, t, MASQUERADING, family(v6) + " saddr " + source + " " + family(v6) + " daddr " + ip + " masquerade"
            + comment);
      }
    }
    return b.toString();
  }

  /**
   * The sources whose packets to the container are masqueraded: its own address (hairpin) and for IPv4 127.0.0.1,
   * or with masqAll any address.
   */
  static List<String> masqSources(PortMapConf conf, IpNet container) {
    boolean v6 = !container.isIpv4();
    if (conf.masqAll()) {
      return List.of(v6 ? "::/0" : "0.0.0.0/0");
    }
    List<String> s = new ArrayList<>(List.of(Ips.format(container.ip())));
    if (!v6) {
      s.add("127.0.0.1");
    }
    return s;
  }

  /**
   * How many rules of the container CHECK expects in {@link #HOSTPORTS}: Go counts every mapping without hostIP or
   * with one of the family, unspecified ones included.
   */
  static int expectedHostPortRules(PortMapConf conf, boolean v6) {
    return (int) conf.mappings().stream().filter(m -> m.appliesTo(v6)).count();
  }

  private static void chain(StringBuilder b, String t, String name, String base) {
    b.append("add chain ").append(t).append(' ').append(name);
    if (base != null) {
      b.append(" { ").append(base).append(" ; }");
    }
    b.append('\n');
  }

  private static void rule(StringBuilder b, String t, String chain, String body) {
    b.append("add rule ").append(t).append(' ').append(chain).append(' ').append(body).append('\n');
  }
}
