package io.jcni.plugins.internal.portmap;

import io.jcni.plugins.internal.linux.Conntrack;
import io.jcni.plugins.internal.linux.Family;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.util.Locale;

/**
 * The host's conntrack entries of UDP flows to a mapped host port, deleted after ADD has set up the forwarding:
 * a flow that conntrack already tracks (e.g. answered "port unreachable" before the container came) would otherwise
 * keep bypassing the new DNAT for as long as the client keeps sending. As in Go, failing is only logged.
 */
final class StaleUdpFlows {
  private static final System.Logger LOG = System.getLogger(StaleUdpFlows.class.getName());

  private StaleUdpFlows() {}

  /** Deletes the {@code family} entries of UDP flows to the host ports of {@code conf}'s UDP mappings. */
  static void flush(NetNs host, PortMapConf conf, Family family) {
    if (conf.mappings().stream().noneMatch(StaleUdpFlows::isUdp)) {
      return;
    }
    try (Conntrack ct = Conntrack.open(host)) {
      for (PortMapping m : conf.mappings()) {
        if (isUdp(m)) {
          ct.deleteByOriginalDstPort(family, Conntrack.UDP, m.hostPort());
        }
      }
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "failed to delete stale UDP conntrack entries (" + family + "): "
          + e.getMessage());
    }
  }

  private static boolean isUdp(PortMapping m) {
    return m.protocol().toLowerCase(Locale.ROOT).equals("udp");
  }
}
