package io.jcni.demo;

import io.jcni.libcni.spi.CniPlugin;
import io.jcni.plugins.internal.bridge.BridgePlugin;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.routed.RoutedPlugin;
import java.nio.file.Path;
import java.util.List;

/**
 * The pod network each node of {@code jcni demo --nodes} runs: the conflist of one node (its pod CIDR, its
 * host-local store) and the in-process plugins that must act on the node's namespace as their host.
 */
interface DemoPodNetwork {
  /** The network's name in every node's conflist. */
  String NAME = "jcni-demo-pods";

  /** What the user is told the pods are attached with. */
  String description();

  /** The conflist of a node whose pods get addresses from {@code podCidr}, stored in {@code dataDir}. */
  String conflist(String podCidr, Path dataDir);

  /** The plugins bound to {@code node} as their host namespace; they replace the discovered ones of their type. */
  List<CniPlugin> hostBound(NetNs node);

  /** jcni's bridge with host-local: a gateway bridge {@code cni0} per node; BGP carries the node's pod CIDR. */
  DemoPodNetwork BRIDGE = new DemoPodNetwork() {
    @Override
    public String description() {
      return "in-process bridge + host-local";
    }

    @Override
    public String conflist(String podCidr, Path dataDir) {
      return """
          {"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "bridge", "bridge": "cni0",
            "isGateway": true, "ipMasq": false, "ipam": {"type": "host-local", "dataDir": "%s",
            "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}]}}]}
          """.formatted(NAME, dataDir, podCidr);
    }

    @Override
    public List<CniPlugin> hostBound(NetNs node) {
      return List.of(new BridgePlugin(node));
    }
  };

  /** jcni's Calico-style routed attachment: no bridge, a host route {@code podIP/32} per pod, which BGP carries. */
  DemoPodNetwork ROUTED = new DemoPodNetwork() {
    @Override
    public String description() {
      return "in-process jcni-routed + host-local";
    }

    @Override
    public String conflist(String podCidr, Path dataDir) {
      return """
          {"cniVersion": "1.0.0", "name": "%s", "plugins": [{"type": "jcni-routed", "ipam": {"type": "host-local",
            "dataDir": "%s", "ranges": [[{"subnet": "%s"}]]}}]}
          """.formatted(NAME, dataDir, podCidr);
    }

    @Override
    public List<CniPlugin> hostBound(NetNs node) {
      return List.of(new RoutedPlugin(node));
    }
  };
}
