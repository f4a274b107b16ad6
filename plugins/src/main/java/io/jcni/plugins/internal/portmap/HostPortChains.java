package io.jcni.plugins.internal.portmap;

import java.util.List;

/**
 * The iptables chains all containers share, with the names and rules of the Go plugin (runtimes and upgrades rely
 * on them never changing): {@code CNI-HOSTPORT-DNAT} entered from PREROUTING and OUTPUT for local destinations,
 * {@code CNI-HOSTPORT-SETMARK} setting the masquerade mark, {@code CNI-HOSTPORT-MASQ} masquerading marked packets,
 * entered first thing from POSTROUTING. Rules are written as iptables-save prints them, so they compare with a
 * table read.
 */
final class HostPortChains {
  static final String DNAT = "CNI-HOSTPORT-DNAT";
  static final String SETMARK = "CNI-HOSTPORT-SETMARK";
  static final String MASQ = "CNI-HOSTPORT-MASQ";
  /** The summary chain of pre-1.0 plugins' per-container SNAT chains. */
  static final String OLD_SNAT = "CNI-HOSTPORT-SNAT";

  /** The chains that jump to {@link #DNAT}. */
  static final List<String> DNAT_ENTRY_CHAINS = List.of("PREROUTING", "OUTPUT");

  private HostPortChains() {}

  /** The PREROUTING/OUTPUT rule that sends locally destined packets to {@link #DNAT}. */
  static List<String> dnatEntry() {
    return List.of("-m", "addrtype", "--dst-type", "LOCAL", "-j", DNAT);
  }

  /** The one rule of {@link #SETMARK}. */
  static List<String> setMarkRule(int markBit) {
    return List.of("-m", "comment", "--comment", "CNI portfwd masquerade mark", "-j", "MARK", "--set-xmark",
        mark(markBit));
  }

  /** The one rule of {@link #MASQ}. */
  static List<String> masqRule(int markBit) {
    return List.of("-m", "mark", "--mark", mark(markBit), "-j", "MASQUERADE");
  }

  /** The POSTROUTING rule, inserted first so the bridge and ptp masquerade rules cannot shadow it. */
  static List<String> masqEntry() {
    return List.of("-m", "comment", "--comment", "CNI portfwd requiring masquerade", "-j", MASQ);
  }

  /** Go's {@code %#x/%#x} of the mark bit's value. */
  private static String mark(int bit) {
    String v = "0x" + Long.toHexString(1L << bit);
    return v + "/" + v;
  }
}
