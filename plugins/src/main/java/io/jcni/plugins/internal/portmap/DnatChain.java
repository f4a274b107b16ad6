package io.jcni.plugins.internal.portmap;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.netfilter.GoChainNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A container's iptables DNAT chain {@code CNI-DN-<hash>} as the Go plugin generates it: the entry rules in
 * {@code CNI-HOSTPORT-DNAT} that send the mapped host ports of each protocol to it (multiport, at most 15 ports a
 * rule, protocols sorted), and per mapping the rules that mark hairpin and localhost traffic for masquerade, then
 * the DNAT itself. Rules are iptables argument vectors as Go passes them (not iptables-save's canonical form).
 *
 * @param name the chain name
 * @param entryRules the rules of {@code CNI-HOSTPORT-DNAT} that jump here, without the {@code -j name} Go adds
 * @param rules the chain's rules in order
 */
record DnatChain(String name, List<List<String>> entryRules, List<List<String>> rules) {
  /** The multiport match takes at most 15 ports. */
  private static final int MULTIPORT_MAX = 15;
  /** iptables' limit on a comment. */
  private static final int COMMENT_MAX = 255;

  DnatChain {
    entryRules = entryRules.stream().map(List::copyOf).toList();
    rules = rules.stream().map(List::copyOf).toList();
  }

  /** The chain name of a container: {@code CNI-DN-} and the hash of network name and container id. */
  static String nameFor(String network, String containerId) {
    return GoChainNames.withPrefix("DN-", network, containerId);
  }

  /** The chain of the pre-1.0 plugins' SNAT rules, torn down in case a container was added by one of them. */
  static String oldSnatNameFor(String network, String containerId) {
    return GoChainNames.withPrefix("SN-", network, containerId);
  }

  /** The chain for {@code conf}'s mappings to {@code container} (one address family). */
  static DnatChain of(PortMapConf conf, String containerId, IpNet container) {
    boolean v6 = !container.isIpv4();
    String comment = trimComment("dnat name: \"" + conf.name() + "\" id: \"" + containerId + "\"");
    String setMark = conf.externalSetMarkChain() != null ? conf.externalSetMarkChain() : HostPortChains.SETMARK;

    // Go groups the host ports of every mapping (either family) by protocol
    Map<String, List<Integer>> byProto = new TreeMap<>();
    for (PortMapping m : conf.mappings()) {
      byProto.computeIfAbsent(m.protocol(), p -> new ArrayList<>()).add(m.hostPort());
    }
    List<List<String>> entry = new ArrayList<>();
    byProto.forEach((proto, ports) -> {
      for (String portSpec : splitPorts(ports)) {
        List<String> r = new ArrayList<>(List.of("-m", "comment", "--comment", comment, "-m", "multiport", "-p",
            proto, "--destination-ports", portSpec));
        r.addAll(conf.conditions(v6));
        entry.add(r);
      }
    });

    List<List<String>> rules = new ArrayList<>();
    for (PortMapping m : conf.mappings()) {
      if (!m.appliesTo(v6)) {
        continue;
      }
      List<String> base = new ArrayList<>(List.of("-p", m.protocol(), "--dport", Integer.toString(m.hostPort())));
      if (m.destination() != null) {
        base.addAll(List.of("-d", m.destination()));
      }
      if (conf.snat()) {
        String masqSource = conf.masqAll() ? (v6 ? "::/0" : "0.0.0.0/0")
            : Ips.format(container.ip()) + "/" + container.prefixLength();
        rules.add(concat(base, "-s", masqSource, "-j", setMark));
        if (!v6 && !conf.masqAll()) {
          rules.add(concat(base, "-s", "127.0.0.1", "-j", setMark));
        }
      }
      rules.add(concat(base, "-j", "DNAT", "--to-destination", ipPort(container, m.containerPort())));
    }
    return new DnatChain(nameFor(conf.name(), containerId), entry, rules);
  }

  /** An entry rule with its jump, as it stands in {@code CNI-HOSTPORT-DNAT}. */
  List<String> entryWithJump(List<String> entryRule) {
    return concat(entryRule, "-j", name);
  }

  private static List<String> concat(List<String> base, String... more) {
    List<String> r = new ArrayList<>(base);
    r.addAll(List.of(more));
    return r;
  }

  /** ip:port as iptables wants it, IPv6 in brackets. */
  private static String ipPort(IpNet container, int port) {
    String ip = Ips.format(container.ip());
    return (container.isIpv4() ? ip : "[" + ip + "]") + ":" + port;
  }

  private static List<String> splitPorts(List<Integer> ports) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ports.size(); i += MULTIPORT_MAX) {
      List<String> chunk = ports.subList(i, Math.min(ports.size(), i + MULTIPORT_MAX)).stream()
          .map(String::valueOf).toList();
      out.add(String.join(",", chunk));
    }
    return out;
  }

  /** Go cuts a comment over iptables' limit to 253 bytes and "...". */
  static String trimComment(String comment) {
    byte[] b = comment.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (b.length <= COMMENT_MAX) {
      return comment;
    }
    return new String(b, 0, 253, java.nio.charset.StandardCharsets.UTF_8) + "...";
  }

  /** Go's {@code %s} of a {@code [][]string}: {@code [[a b] [c d]]}, as CHECK's errors print rules. */
  static String goFormat(List<List<String>> rules) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < rules.size(); i++) {
      b.append(i == 0 ? "[" : " [").append(String.join(" ", rules.get(i))).append(']');
    }
    return b.append(']').toString();
  }
}
