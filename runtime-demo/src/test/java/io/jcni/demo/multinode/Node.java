package io.jcni.demo.multinode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.demo.DemoBird;
import io.jcni.libcni.runtime.CniRuntime;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One node of a {@link Cluster}: a network namespace on the underlay with its own pod CIDR, its own jcni runtime
 * (plugins bound to this namespace as their host) and its own BIRD daemon.
 *
 * @param index 1-based; the node's underlay address and pod CIDR derive from it
 * @param ns the node's namespace (iproute2 side, the oracle)
 * @param handle the same namespace for jcni
 * @param address the node's underlay address
 * @param podCidr the node's pod CIDR
 * @param cni the node's jcni runtime
 * @param bird the node's routing daemon
 */
record Node(int index, TestNetns ns, NetNs handle, String address, String podCidr, CniRuntime cni, DemoBird bird) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node's main routing table as {@code ip -j route} shows it: destination → the route's JSON. */
  Map<String, JsonNode> routes() throws IOException {
    Map<String, JsonNode> routes = new LinkedHashMap<>();
    for (JsonNode r : JSON.readTree(ns.ip("-j", "-4", "route", "show"))) {
      routes.put(r.path("dst").asText(), r);
    }
    return routes;
  }

  @Override
  public String toString() {
    return "node" + index + " (" + ns.name() + ", " + address + ", pods " + podCidr + ")";
  }
}
