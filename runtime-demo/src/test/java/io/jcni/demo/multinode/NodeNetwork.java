package io.jcni.demo.multinode;

import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.plugins.internal.bridge.BridgePlugin;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.routed.RoutedPlugin;
import java.nio.file.Path;

/**
 * The pod network every node of a {@link Cluster} runs: the conflist a node's jcni loads (with that node's pod
 * CIDR) and the plugins bound to the node's namespace as their host. Switching the cluster to another attachment
 * is choosing another constant.
 */
interface NodeNetwork {
  /** The network's name in every node's conflist. */
  String NAME = "jtpods";

  /** The conflist of a node whose pods get addresses from {@code podCidr}, stored under {@code dataDir}. */
  String conflist(String podCidr, Path dataDir);

  /** The in-process plugins of a node, bound to {@code node} (named {@code nodeName} under /var/run/netns). */
  PluginRegistry registry(NetNs node, String nodeName);

  /** Whether each pod gets its own host route {@code podIP/32} on its node (routed), or shares a subnet route. */
  boolean hostRoutePerPod();

  /** Debian's Go {@code ptp}: one veth and a host route {@code podIP/32} per pod, the node's address as gateway. */
  NodeNetwork GO_PTP = new NodeNetwork() {
    @Override
    public String conflist(String podCidr, Path dataDir) {
      return """
          {"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "ptp", "ipMasq": false, "ipam": {
            "type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}}]}
          """.formatted(NAME, dataDir, podCidr);
    }

    @Override
    public PluginRegistry registry(NetNs node, String nodeName) {
      return PluginRegistry.empty().register(new GoPluginInNode("ptp", nodeName));
    }

    @Override
    public boolean hostRoutePerPod() {
      return true;
    }

    @Override
    public String toString() {
      return "Go ptp";
    }
  };

  /** jcni's in-process bridge (and host-local): a gateway bridge per node; BGP carries the whole pod CIDR. */
  NodeNetwork JCNI_BRIDGE = new NodeNetwork() {
    @Override
    public String conflist(String podCidr, Path dataDir) {
      return """
          {"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "bridge", "bridge": "jtpodbr",
            "isGateway": true, "ipMasq": false, "ipam": {"type": "host-local", "dataDir": "%s",
            "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}]}}]}
          """.formatted(NAME, dataDir, podCidr);
    }

    @Override
    public PluginRegistry registry(NetNs node, String nodeName) {
      return PluginRegistry.discover().register(new BridgePlugin(node));
    }

    @Override
    public boolean hostRoutePerPod() {
      return false;
    }

    @Override
    public String toString() {
      return "jcni bridge";
    }
  };

  /** jcni's in-process Calico-style {@code jcni-routed}: a host route {@code podIP/32} per pod, no bridge. */
  NodeNetwork JCNI_ROUTED = new NodeNetwork() {
    @Override
    public String conflist(String podCidr, Path dataDir) {
      return """
          {"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "jcni-routed", "ipam": {
            "type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]]}}]}
          """.formatted(NAME, dataDir, podCidr);
    }

    @Override
    public PluginRegistry registry(NetNs node, String nodeName) {
      return PluginRegistry.discover().register(new RoutedPlugin(node));
    }

    @Override
    public boolean hostRoutePerPod() {
      return true;
    }

    @Override
    public String toString() {
      return "jcni-routed";
    }
  };
}
