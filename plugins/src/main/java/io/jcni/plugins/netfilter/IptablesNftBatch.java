package io.jcni.plugins.netfilter;

import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.linux.NfTablesBatch;
import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;

/**
 * The ipMasq setup of a container with one IPv4 address as one nf_tables transaction: the restore lines of
 * {@link IptablesMasq#freshSetupLines} encoded as iptables-nft 1.8 encodes them ({@link IptablesNftScript}), so
 * iptables-save prints, and iptables -D finds, exactly the rules iptables-restore would have made.
 *
 * <p>Why: on a busy node a process launch costs milliseconds before the program does anything, and every
 * transaction of an ADD would wait for one. Where iptables is the nf_tables variant, the same rules can be sent
 * from this process. Anything else (IPv6, several addresses, a prefix of 0, a long comment) is left to
 * iptables-restore.
 */
final class IptablesNftBatch {
  private IptablesNftBatch() {}

  /**
   * The batch for a container chain {@code chain} that does not exist yet: the chain, its ACCEPT and MASQUERADE
   * rules, and the POSTROUTING jump; empty when {@code ip} is not one this encoding covers.
   */
  static Optional<NfTablesBatch> freshSetup(String chain, String comment, IpNet ip) {
    if (!(ip.ip() instanceof Inet4Address) || ip.prefixLength() == 0) {
      return Optional.empty();
    }
    return IptablesNftScript.of("nat", IptablesMasq.freshSetupLines(chain, comment, List.of(ip)));
  }
}
