package io.jcni.demo.multinode;

import io.jcni.libcni.testing.TestNetns;
import io.jcni.plugins.internal.linux.NetNs;
import java.net.InetAddress;

/**
 * A pod of a {@link Cluster}: a namespace attached to the pod network of its node.
 *
 * @param id the container id the node's runtime knows it by
 * @param node the node it runs on
 * @param ns its namespace
 * @param handle the same namespace for jcni
 * @param ip its address on the pod network
 */
record Pod(String id, Node node, TestNetns ns, NetNs handle, InetAddress ip) {
  @Override
  public String toString() {
    return id + " on node" + node.index() + " (" + ip.getHostAddress() + ")";
  }
}
