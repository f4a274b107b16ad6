package io.jcni.plugins.internal.hostlocal;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.CniArgs;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Route;
import io.jcni.libcni.version.Version;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The host-local configuration of one invocation: the {@code ipam} section of the network configuration merged
 * with {@code runtimeConfig} and the requested addresses, canonical and checked.
 *
 * @param name the network name; the store lives in {@code <dataDir>/<name>}
 * @param cniVersion the configuration's cniVersion (the result is printed in it)
 * @param rangeSets runtimeConfig {@code ipRanges}, then the legacy top-level range, then {@code ranges}; index N
 *     is the N of {@code last_reserved_ip.N}
 * @param routes the {@code routes}, returned unchanged
 * @param dataDir the store root ({@code dataDir}, default {@link Store#DEFAULT_DATA_DIR})
 * @param resolvConf the {@code resolvConf} path to read DNS settings from, or null
 * @param requestedIps CNI_ARGS {@code IP}, then {@code args.cni.ips}, then {@code runtimeConfig.ips}
 */
public record IpamConfig(
    String name,
    String cniVersion,
    List<RangeSet> rangeSets,
    List<Route> routes,
    Path dataDir,
    String resolvConf,
    List<InetAddress> requestedIps) {

  private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");

  public IpamConfig {
    rangeSets = List.copyOf(rangeSets);
    routes = List.copyOf(routes);
    requestedIps = List.copyOf(requestedIps);
  }

  /**
   * Parses the network configuration host-local reads on stdin, with {@code CNI_ARGS}, applying every upstream
   * rule and error message of {@code allocator.LoadIPAMConfig}.
   */
  public static IpamConfig load(byte[] stdin, String cniArgs) throws CniException {
    JsonFields root = JsonFields.parse(stdin, "allocator.Net", "Net");
    String name = root.string("name");
    String cniVersion = root.string("cniVersion");
    if (!root.has("ipam")) {
      throw invalid("IPAM config missing 'ipam' key");
    }
    JsonFields ipam = root.fields("ipam", "allocator.IPAMConfig", "IPAMConfig");
    JsonFields runtimeConfig = root.fields("runtimeConfig", "struct", "");

    List<InetAddress> requested = new ArrayList<>();
    Map<String, String> env = CniArgs.parse(cniArgs, Set.of("IP"));
    if (env.containsKey("IP")) {
      InetAddress ip = parseIpOrCidr(env.get("IP"));
      if (ip == null) {
        throw new CniException(ErrorCode.INTERNAL,
            "ARGS: error parsing value of pair \"IP=" + env.get("IP") + "\": invalid IP address " + env.get("IP"));
      }
      requested.add(ip);
    }
    JsonFields argsCni = root.fields("args", "struct", "").fields("cni", "allocator.IPAMArgs", "IPAMArgs");
    for (JsonNode n : argsCni.array("ips", "[]*ip.IP")) {
      requested.add(requestedIp(argsCni, n));
    }
    for (JsonNode n : runtimeConfig.array("ips", "[]*ip.IP")) {
      requested.add(requestedIp(runtimeConfig, n));
    }

    List<RangeSet> sets = new ArrayList<>();
    for (JsonNode n : runtimeConfig.array("ipRanges", "[]allocator.RangeSet")) {
      sets.add(rangeSet(runtimeConfig, "ipRanges", n));
    }
    Range legacy = range(ipam);
    if (legacy.subnet() != null) {
      sets.add(new RangeSet(List.of(legacy)));
    }
    for (JsonNode n : ipam.array("ranges", "[]allocator.RangeSet")) {
      sets.add(rangeSet(ipam, "ranges", n));
    }
    if (sets.isEmpty()) {
      throw invalid("no IP ranges specified");
    }

    List<RangeSet> canonical = new ArrayList<>();
    int v4 = 0;
    int v6 = 0;
    for (int i = 0; i < sets.size(); i++) {
      RangeSet c;
      try {
        c = sets.get(i).canonical();
      } catch (CniException e) {
        throw e.withPrefix("invalid range set " + i + ": ");
      }
      if (c.isIpv4()) {
        v4++;
      } else {
        v6++;
      }
      canonical.add(c);
    }
    if ((v4 > 1 || v6 > 1) && !atLeast030(cniVersion)) {
      throw new CniException(
          ErrorCode.INCOMPATIBLE_CNI_VERSION,
          "CNI version " + cniVersion + " does not support more than 1 address per family");
    }
    for (int i = 0; i < canonical.size(); i++) {
      for (int j = i + 1; j < canonical.size(); j++) {
        if (canonical.get(i).overlaps(canonical.get(j))) {
          throw invalid("range set " + i + " overlaps with " + j);
        }
      }
    }

    List<Route> routes = new ArrayList<>();
    for (JsonNode r : ipam.array("routes", "[]*types.Route")) {
      routes.add(Route.fromJson(r));
    }
    String dataDir = ipam.string("dataDir");
    String resolvConf = ipam.string("resolvConf");
    checkName(name);
    return new IpamConfig(
        name,
        cniVersion,
        canonical,
        routes,
        dataDir.isEmpty() ? Store.DEFAULT_DATA_DIR : Path.of(dataDir),
        resolvConf.isEmpty() ? null : resolvConf,
        requested);
  }

  // The network name becomes a directory name, so it must be what skel would let through.
  private static void checkName(String name) throws CniException {
    if (name.isEmpty()) {
      throw invalid("missing network name");
    }
    if (!NAME.matcher(name).matches()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "invalid characters found in network name", name);
    }
  }

  private static RangeSet rangeSet(JsonFields parent, String key, JsonNode n) throws CniException {
    if (!n.isArray()) {
      throw parent.typeError(n, key, "allocator.RangeSet");
    }
    List<Range> ranges = new ArrayList<>();
    for (JsonNode r : n) {
      ranges.add(range(parent.element(r, key, "allocator.Range", "Range")));
    }
    return new RangeSet(ranges);
  }

  // Go's net.IP treats "" as no address.
  private static Range range(JsonFields r) throws CniException {
    return new Range(r.ipNet("subnet"), r.ip("rangeStart"), r.ip("rangeEnd"), r.ip("gateway"));
  }

  // pkg/ip's IP, unlike net.IP, takes "a/len" too, and says "invalid IP address x" without a colon.
  private static InetAddress requestedIp(JsonFields parent, JsonNode n) throws CniException {
    if (!n.isTextual()) {
      throw parent.typeError(n, "ips", "*ip.IP");
    }
    InetAddress ip = parseIpOrCidr(n.textValue());
    if (ip == null) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "invalid IP address " + n.textValue());
    }
    return ip;
  }

  /** Go's {@code ip.ParseIP}: an address, or a CIDR whose address part is taken; null when neither. */
  static InetAddress parseIpOrCidr(String s) {
    if (!s.contains("/")) {
      return Ips.tryParse(s);
    }
    try {
      return IpNet.parse(s).ip();
    } catch (CniException e) {
      return null;
    }
  }

  private static boolean atLeast030(String version) {
    try {
      return Version.atLeast(version, "0.3.0");
    } catch (CniException e) {
      return false;
    }
  }

  static CniException invalid(String msg) {
    return new CniException(ErrorCode.INVALID_NETWORK_CONFIG, msg);
  }

}
