package io.jcni.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.net.InetAddresses;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a bench run does its work on the host: its network name, bridge, pod subnet, namespace names and a private
 * directory for the result cache and the host-local store. The run touches nothing else.
 *
 * @param network the network name (also the masquerade rules' {@code name:} and the host-local store folder)
 * @param bridge the bridge the pods are attached to (the bench's own network, or a bridge conflist's); must not exist
 *     before the run; empty for a network without a bridge
 * @param subnet the pod subnet (with {@code --conf}, the first of its host-local ranges), an IPv4 CIDR in 10.2xx.0.0/16
 * @param netnsPrefix namespaces are called {@code <prefix><i>} (and {@code <prefix>w<i>} while warming up)
 * @param stateDir holds {@code cache/} (results) and {@code ipam/} (host-local's dataDir); removed at the end
 */
record BenchSite(String network, String bridge, String subnet, String netnsPrefix, Path stateDir) {
  /** The bench's own names when {@code --prefix} is not given. */
  static final String DEFAULT_PREFIX = "jcni-bench";
  /** What {@code --prefix} accepts: short enough for {@code <prefix>0-59}, a bridge name, to fit in 15 bytes. */
  static final Pattern PREFIX = Pattern.compile("[a-z0-9][a-z0-9-]{0,10}");

  /** The site of {@code jcni bench}: bridge {@code jcnib0}, 10.239.0.0/16, namespaces {@code jcni-bench-<i>}. */
  static BenchSite defaults() {
    return named(DEFAULT_PREFIX);
  }

  /**
   * The site of a bench with {@code --prefix prefix}: network {@code prefix}, bridge {@code <prefix>0}, namespaces
   * {@code <prefix>-<i>}, state in {@code /run/<prefix>-<pid>}; the default prefix keeps the bridge {@code jcnib0}.
   */
  static BenchSite named(String prefix) {
    return new BenchSite(prefix, prefix.equals(DEFAULT_PREFIX) ? "jcnib0" : prefix + "0", "10.239.0.0/16",
        prefix + "-", Path.of("/run/" + prefix + "-" + ProcessHandle.current().pid()));
  }

  /** This site with the network, bridge and subnet of another network (a conflist's), keeping names and state. */
  BenchSite withNetwork(String network, String bridge, String subnet) {
    return new BenchSite(network, bridge, subnet, netnsPrefix, stateDir);
  }

  /** This site with its namespaces called {@code <prefix><i>}. */
  BenchSite withNetnsPrefix(String prefix) {
    return new BenchSite(network, bridge, subnet, prefix, stateDir);
  }

  /** The result cache directory. */
  Path cacheDir() {
    return stateDir.resolve("cache");
  }

  /** host-local's {@code dataDir}. */
  Path dataDir() {
    return stateDir.resolve("ipam");
  }

  /**
   * The most pods one bridge takes. A Linux bridge numbers its ports in 10 bits and refuses the 1024th with EXFULL
   * (Go's plugin the same), so a run with more pods spreads them over several bridges.
   */
  static final int PODS_PER_BRIDGE = 1000;

  /**
   * The bridges of a run with {@code pods} pods: {@link #bridge} alone up to {@link #PODS_PER_BRIDGE} pods, then
   * {@code <bridge>-1}, {@code <bridge>-2}, …
   */
  List<String> bridges(int pods) {
    int n = Math.max(1, (pods + PODS_PER_BRIDGE - 1) / PODS_PER_BRIDGE);
    List<String> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(k == 0 ? bridge : bridge + "-" + k);
    }
    return out;
  }

  /**
   * One conflist per bridge of a run with {@code pods} pods (pod {@code i} attaches through the list
   * {@code i % size}), bridge k with the k-th of {@link #subnets}.
   */
  List<NetworkConfigList> conflists(boolean ipMasq, int pods) throws CniException {
    List<String> bridges = bridges(pods);
    List<String> subnets = subnets(pods);
    List<NetworkConfigList> out = new ArrayList<>();
    for (int k = 0; k < bridges.size(); k++) {
      out.add(conflist(ipMasq, bridges.get(k), subnets.get(k)));
    }
    return out;
  }

  /**
   * The pod subnet of each bridge of a run with {@code pods} pods ({@link #bridges}): {@link #subnet} itself with
   * one bridge; with n, the subnet split into the next power of two of n equal parts, bridge k getting the k-th.
   */
  List<String> subnets(int pods) {
    int n = bridges(pods).size();
    if (n == 1) {
      return List.of(subnet);
    }
    int slash = subnet.indexOf('/');
    int len = Integer.parseInt(subnet.substring(slash + 1));
    int bits = 32 - Integer.numberOfLeadingZeros(n - 1);
    int base = InetAddresses.coerceToInteger(InetAddresses.forString(subnet.substring(0, slash)));
    List<String> out = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      out.add(InetAddresses.fromInteger(base + (k << (32 - len - bits))).getHostAddress() + "/" + (len + bits));
    }
    return out;
  }

  /** How many pods the subnet holds (network, gateway and broadcast addresses excluded). */
  int capacity() {
    if (subnet.isEmpty() || subnet.contains(":")) {
      return Integer.MAX_VALUE; // IPv6, or a range the bench cannot size: host-local reports exhaustion itself
    }
    int len = Integer.parseInt(subnet.substring(subnet.indexOf('/') + 1));
    return (int) Math.min(Integer.MAX_VALUE, (1L << (32 - len)) - 3);
  }

  /** Whether {@code text} names a single IPv4 address ({@code a.b.c.d/32}) within {@link #subnet}. */
  boolean holdsAddressIn(String text) {
    Matcher m = HOST_V4.matcher(text);
    while (m.find()) {
      if (holds(m.group(1))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the IPv4 address {@code dotted} is within {@link #subnet}. */
  boolean holds(String dotted) {
    if (subnet.isEmpty() || subnet.contains(":") || dotted.contains(":")) {
      return false;
    }
    int slash = subnet.indexOf('/');
    long net = ipv4(subnet.substring(0, slash));
    int len = Integer.parseInt(subnet.substring(slash + 1));
    long mask = len == 0 ? 0 : (0xffffffffL << (32 - len)) & 0xffffffffL;
    return (ipv4(dotted) & mask) == (net & mask);
  }

  private static final Pattern HOST_V4 = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})/32\\b");

  private static long ipv4(String dotted) {
    long v = 0;
    for (String part : dotted.split("\\.")) {
      v = (v << 8) | Integer.parseInt(part);
    }
    return v;
  }

  /**
   * The bridge + host-local network both modes attach through. cniVersion 1.0.0 so Debian's Go plugins (1.1.1)
   * accept it; the bridge is each pod's default gateway, as on a node.
   */
  NetworkConfigList conflist(boolean ipMasq) throws CniException {
    return conflist(ipMasq, bridge, subnet);
  }

  private NetworkConfigList conflist(boolean ipMasq, String bridge, String subnet) throws CniException {
    ObjectMapper m = new ObjectMapper();
    ObjectNode root = m.createObjectNode().put("cniVersion", "1.0.0").put("name", network);
    ObjectNode bridgeConf = root.putArray("plugins").addObject()
        .put("type", "bridge")
        .put("bridge", bridge)
        .put("isGateway", true)
        .put("isDefaultGateway", true)
        .put("ipMasq", ipMasq);
    ObjectNode ipam = bridgeConf.putObject("ipam").put("type", "host-local");
    ipam.putArray("ranges").addArray().addObject().put("subnet", subnet);
    ipam.put("dataDir", dataDir().toString());
    return ConfLoader.confListFromBytes(root.toString().getBytes(StandardCharsets.UTF_8));
  }
}
