package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/** The firewall the bridge plugin's {@code ipMasq} rules go to, as chosen by {@code ipMasqBackend}. */
public enum IpMasqBackend {
  /** iptables/ip6tables nat table, one {@code CNI-…} chain per container (the only backend before Go v1.6). */
  IPTABLES("iptables"),
  /** nftables table {@code inet cni_plugins_masquerade}, one commented rule per container address. */
  NFTABLES("nftables");

  private final String configName;

  IpMasqBackend(String configName) {
    this.configName = configName;
  }

  /** The value of {@code ipMasqBackend} that selects this backend. */
  public String configName() {
    return configName;
  }

  /**
   * Parses {@code ipMasqBackend}; {@code null} (key absent) means "choose automatically" and yields {@code null}.
   *
   * @throws CniException code 7, {@code unknown ipmasq backend "x"}, for any other value (also the empty string)
   */
  public static IpMasqBackend parse(String configured) throws CniException {
    if (configured == null) {
      return null;
    }
    for (IpMasqBackend b : values()) {
      if (b.configName.equals(configured)) {
        return b;
      }
    }
    throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG,
        "unknown ipmasq backend " + MasqNames.goQuote(configured));
  }

  /** Whether this backend works on the machine (namespace) that {@code exec} runs in. */
  public boolean isSupported(FirewallExec exec) {
    return rules(exec).isSupported();
  }

  MasqRules rules(FirewallExec exec) {
    return switch (this) {
      case IPTABLES -> new IptablesMasq(exec);
      case NFTABLES -> new NftablesMasq(exec);
    };
  }
}
