package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.IpNet;
import java.util.Collection;
import java.util.List;

/** One way of installing the ipMasq rules: the operations every {@link IpMasqBackend} implements. */
sealed interface MasqRules permits IptablesMasq, NftablesMasq {
  /** Installs rules so traffic from {@code ips} to outside their networks is masqueraded; idempotent. */
  void setup(String network, String containerId, String ifName, List<IpNet> ips) throws CniException;

  /**
   * {@link #setup} as a step of a chain's ADD, which may complete it together with the chain's other rule changes
   * ({@link PluginContext#defer}); this default sets up at once.
   */
  default void setup(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    setup(network, containerId, ifName, ips);
  }

  /** Removes what {@link #setup} installed for this attachment; succeeds when nothing is there. */
  void teardown(String network, String containerId, String ifName, List<IpNet> ips) throws CniException;

  /**
   * {@link #teardown} as a step of a chain's DEL, which may complete it together with the chain's other rule
   * changes ({@link PluginContext#defer}); a failure counts only where this backend {@linkplain #isSupported can
   * run here}. This default tears down at once.
   */
  default void teardown(String network, String containerId, String ifName, List<IpNet> ips, PluginContext ctx)
      throws CniException {
    teardown(network, containerId, ifName, ips);
  }

  /** {@link #teardown}, whose failure counts only where this backend {@linkplain #isSupported can run here}. */
  default void teardownWhereSupported(String network, String containerId, String ifName, List<IpNet> ips)
      throws CniException {
    try {
      teardown(network, containerId, ifName, ips);
    } catch (CniException e) {
      if (isSupported()) {
        throw e;
      }
    }
  }

  /** Removes rules of {@code network} that belong to none of {@code keep}. */
  void gc(String network, Collection<IpMasq.Attachment> keep) throws CniException;

  /** Whether this backend can run here (the program exists and can talk to the kernel). */
  boolean isSupported();
}
