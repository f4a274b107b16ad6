package io.jcni.demo;

import java.nio.file.Path;
import java.util.List;

/**
 * The BIRD 2 configuration of one node of the multi-node demo: an iBGP full mesh over the underlay in which the
 * node announces the routes inside its own pod CIDR and installs the routes it learns from the other nodes.
 *
 * <p>Two sources feed the announcement, both filtered to the pod CIDR: the kernel table (per-pod host routes
 * {@code podIP/32 dev <host veth>} that a routed attachment such as {@code ptp} adds) and the node's connected
 * prefixes (a bridge's pod subnet). The kernel protocol exports only what BGP learned, so the daemon never
 * re-installs or removes the routes the plugins own.
 *
 * @param routerId the node's underlay address, also its BGP router id and session source
 * @param asn the AS number shared by all nodes (iBGP)
 * @param podCidr the node's pod CIDR, e.g. {@code 10.231.1.0/24}
 * @param peers the underlay addresses of the other nodes
 */
public record DemoBirdConfig(String routerId, int asn, String podCidr, List<String> peers) {
  public DemoBirdConfig {
    peers = List.copyOf(peers);
  }

  /** The protocol name BIRD gives the session with {@code peer}, as {@code birdc show protocols} lists it. */
  public static String sessionName(String peer) {
    return "node_" + peer.replace('.', '_');
  }

  /** The configuration text, logging to {@code logFile}. */
  public String render(Path logFile) {
    String pods = "net ~ [ " + podCidr + "+ ]";
    StringBuilder c = new StringBuilder();
    c.append("router id ").append(routerId).append(";\n");
    c.append("log \"").append(logFile).append("\" all;\n");
    c.append("protocol device { scan time 10; }\n");
    // connected prefixes (a bridge's pod subnet), offered to BGP only
    c.append("protocol direct { ipv4 { import where ").append(pods).append("; }; }\n");
    // learn: pick up the host routes the plugins add; export: install what the other nodes announce. A route the
    // kernel drops with its veth comes with no netlink notice, so only the periodic scan sees it go.
    c.append("protocol kernel {\n  learn;\n  scan time 1;\n")
        .append("  ipv4 { import where ").append(pods).append("; export where source = RTS_BGP; };\n}\n");
    for (String peer : peers) {
      c.append("protocol bgp ").append(sessionName(peer)).append(" {\n")
          .append("  local ").append(routerId).append(" as ").append(asn).append(";\n")
          .append("  neighbor ").append(peer).append(" as ").append(asn).append(";\n")
          .append("  direct;\n  connect delay time 1;\n  connect retry time 1;\n  hold time 9;\n")
          .append("  ipv4 { import all; export where ").append(pods).append("; next hop self; };\n}\n");
    }
    return c.toString();
  }
}
