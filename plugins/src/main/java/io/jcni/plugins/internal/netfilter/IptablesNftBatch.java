package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.util.List;
import java.util.Optional;

/**
 * The ipMasq changes of one container, both address families in one nf_tables transaction: the restore lines of
 * {@link IptablesMasq} encoded as iptables-nft 1.8 encodes them ({@link IptablesNftScript}), so iptables-save and
 * ip6tables-save print, and iptables -D finds, exactly the rules iptables-restore would have made.
 *
 * <p>Why: on a busy node a process launch costs milliseconds before the program does anything, and every
 * transaction of an ADD or DEL would wait for one. Where iptables is the nf_tables variant, the same rules can be
 * sent from this process. An address with a prefix of 0 (which iptables prints differently) or a long comment is
 * left to iptables-restore.
 */
final class IptablesNftBatch {
  private IptablesNftBatch() {}

  /**
   * The batch for a container chain {@code chain} that does not exist yet in any family of {@code ips}: per family,
   * the chain, its ACCEPT and MASQUERADE rules, and the POSTROUTING jumps; empty when not covered.
   */
  static Optional<NfTablesBatch> freshSetup(String chain, String comment, List<IpNet> ips) {
    NfTablesBatch b = new NfTablesBatch();
    return addFreshSetup(b, chain, comment, ips) ? Optional.of(b) : Optional.empty();
  }

  /** Adds {@link #freshSetup}'s messages to {@code b}; false when not covered. */
  static boolean addFreshSetup(NfTablesBatch b, String chain, String comment, List<IpNet> ips) {
    for (IptablesFamily f : IptablesFamily.values()) {
      List<IpNet> mine = f.of(ips);
      if (mine.isEmpty()) {
        continue;
      }
      if (mine.stream().anyMatch(ip -> ip.prefixLength() == 0)
          || !IptablesNftScript.add(b, f, "nat", IptablesMasq.freshSetupLines(chain, comment, mine),
              IptablesNftScript.ChainReader.NONE)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The batch that removes exactly what {@link #freshSetup} made for {@code ips}, each POSTROUTING jump deleted by
   * its handle as read through {@code exec}; empty when a jump is not found or a line is not covered.
   */
  static Optional<NfTablesBatch> exactTeardown(FirewallExec exec, String chain, String comment, List<IpNet> ips) {
    NfTablesBatch b = new NfTablesBatch();
    for (IptablesFamily f : IptablesFamily.values()) {
      List<IpNet> mine = f.of(ips);
      if (!mine.isEmpty()
          && !IptablesNftScript.add(b, f, "nat", IptablesMasq.exactTeardownLines(chain, comment, mine),
              exec::readChain)) {
        return Optional.empty();
      }
    }
    return Optional.of(b);
  }

  /**
   * The batch of {@link IptablesMasq#teardownScript} in each family of {@code ips}, computed from the nat tables
   * as read from the kernel through {@code exec}; empty when they cannot be read there or a line is not covered.
   */
  static Optional<NfTablesBatch> teardown(FirewallExec exec, String chain, List<IpNet> ips) {
    NfTablesBatch b = new NfTablesBatch();
    for (IptablesFamily f : IptablesFamily.values()) {
      if (f.of(ips).isEmpty()) {
        continue;
      }
      Optional<TableDump> dump = exec.readTable(f, "nat");
      if (dump.isEmpty()) {
        return Optional.empty();
      }
      List<String> lines = IptablesMasq.teardownScript(dump.get(), chain);
      if (!lines.isEmpty() && !IptablesNftScript.add(b, f, "nat", lines, exec::readChain)) {
        return Optional.empty();
      }
    }
    return Optional.of(b);
  }
}
