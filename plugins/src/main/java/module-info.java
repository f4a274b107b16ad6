/**
 * jcni's in-process CNI plugins (bridge, host-local, portmap, firewall, tuning, loopback, ptp, jcni-routed) and the
 * Linux substrate they stand on: rtnetlink, nf_tables, network namespaces and sysctls over JNA.
 *
 * <p>Embedders reach the plugins through {@code PluginRegistry.discover()} (they are provided as
 * {@code CniPlugin} services) and run one as a CNI executable with {@code io.jcni.plugins.skel.Skel}; everything
 * else is in {@code internal} packages, exported only to jcni's own modules.
 */
// "module not found" for the qualified exports (io.jcni.demo is built after this module); JNA is an automatic
// module (Automatic-Module-Name com.sun.jna)
@SuppressWarnings({"module", "requires-automatic"})
module io.jcni.plugins {
  requires transitive io.jcni.libcni;
  requires com.google.common;
  requires com.sun.jna;

  exports io.jcni.plugins.skel;

  exports io.jcni.plugins.internal.attach to io.jcni.demo;
  exports io.jcni.plugins.internal.bridge to io.jcni.demo;
  exports io.jcni.plugins.internal.firewall to io.jcni.demo;
  exports io.jcni.plugins.internal.hostlocal to io.jcni.demo;
  exports io.jcni.plugins.internal.linux to io.jcni.demo;
  exports io.jcni.plugins.internal.loopback to io.jcni.demo;
  exports io.jcni.plugins.internal.netfilter to io.jcni.demo;
  exports io.jcni.plugins.internal.portmap to io.jcni.demo;
  exports io.jcni.plugins.internal.ptp to io.jcni.demo;
  exports io.jcni.plugins.internal.routed to io.jcni.demo;
  exports io.jcni.plugins.internal.tuning to io.jcni.demo;

  // No opens to com.sun.jna: LibC is bound by direct mapping (Native.register), which needs none (jcni demo runs
  // on the module path). A JNA Structure or Library interface would need its package opened to com.sun.jna.

  provides io.jcni.libcni.spi.CniPlugin with
      io.jcni.plugins.internal.hostlocal.HostLocalPlugin,
      io.jcni.plugins.internal.bridge.BridgePlugin,
      io.jcni.plugins.internal.portmap.PortMapPlugin,
      io.jcni.plugins.internal.firewall.FirewallPlugin,
      io.jcni.plugins.internal.tuning.TuningPlugin,
      io.jcni.plugins.internal.loopback.LoopbackPlugin,
      io.jcni.plugins.internal.ptp.PtpPlugin,
      io.jcni.plugins.internal.routed.RoutedPlugin;
  provides io.jcni.libcni.internal.cache.DirectoryChanges.Provider with
      io.jcni.plugins.internal.linux.DirectoryWatch.Opener;
}
