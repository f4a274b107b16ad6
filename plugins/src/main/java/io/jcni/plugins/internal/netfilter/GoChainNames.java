package io.jcni.plugins.internal.netfilter;

/**
 * iptables chain names the Go plugins derive from a network name and container id ({@code
 * utils.MustFormatChainNameWithPrefix}): {@code "CNI-" + prefix} followed by sha512(network + id) in hex, cut at
 * 28 characters, the iptables limit. Runtimes and the Go plugins find a container's chains by these names.
 */
public final class GoChainNames {
  private static final int CHAIN_NAME_MAX = 28;

  private GoChainNames() {}

  /** The chain name for {@code prefix} (e.g. {@code "DN-"}; must leave room for hash digits). */
  public static String withPrefix(String prefix, String network, String containerId) {
    String head = "CNI-" + prefix;
    if (head.length() >= CHAIN_NAME_MAX) {
      throw new IllegalArgumentException("chain name prefix too long: " + prefix);
    }
    return (head + MasqNames.sha512Hex(network + containerId)).substring(0, CHAIN_NAME_MAX);
  }
}
