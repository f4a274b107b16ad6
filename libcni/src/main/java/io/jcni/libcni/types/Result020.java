package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A CNI 0.1.0/0.2.0 result: at most one IPv4 ({@code ip4}) and one IPv6 ({@code ip6}) address, each with its
 * routes, plus {@code dns} (always written). JSON members follow Go's struct order. A null or empty {@code
 * cniVersion} becomes {@code 0.2.0}; parsed JSON without one is 0.1.0.
 *
 * @param cniVersion "0.1.0" or "0.2.0"
 * @param ip4 the IPv4 configuration, or null
 * @param ip6 the IPv6 configuration, or null
 * @param dns DNS settings, {@link Dns#EMPTY} when none
 */
public record Result020(String cniVersion, IpConfig ip4, IpConfig ip6, Dns dns) implements Result {
  /** The versions this shape serves (Go also accepts "" on input, read as 0.1.0). */
  public static final List<String> VERSIONS = List.of("0.1.0", "0.2.0");
  /** The version this shape implements. */
  public static final String IMPLEMENTED = "0.2.0";

  public Result020 {
    cniVersion = Results.shapeVersion(cniVersion, IMPLEMENTED, VERSIONS, "Result020");
    dns = dns == null ? Dns.EMPTY : dns;
  }

  /**
   * One address family's configuration in a 0.1/0.2 result.
   *
   * @param ip address with prefix, host bits kept (required)
   * @param gateway gateway, or null
   * @param routes routes of this family
   */
  public record IpConfig(IpNet ip, InetAddress gateway, List<Route> routes) {
    public IpConfig {
      Objects.requireNonNull(ip, "ip");
      routes = Result100.copy(routes);
    }

    ObjectNode toJsonNode() {
      ObjectNode n = GoJson.mapper().createObjectNode();
      n.put("ip", ip.toString());
      if (gateway != null) {
        n.put("gateway", Ips.format(gateway));
      }
      Results.putList(n, "routes", routes, Route::toJsonNode);
      return n;
    }

    static IpConfig fromJson(JsonNode n) throws CniException {
      if (n == null || n.isNull()) {
        return null;
      }
      JsonFields f = JsonFields.of(n, "ipConfig");
      return new IpConfig(f.requiredIpNet("ip"), f.ip("gateway"), f.list("routes", Route::fromJson));
    }
  }

  @Override
  public Result convertTo(String version) throws CniException {
    String to = Results.target(version);
    if (to.equals(cniVersion)) {
      return this;
    }
    if (VERSIONS.contains(to)) {
      return new Result020(to, ip4, ip6, dns);
    }
    if (Result040.VERSIONS.contains(to)) {
      return to040(to);
    }
    if (Result100.VERSIONS.contains(to)) {
      return Result100.from040(to040("0.4.0"), to);
    }
    throw Results.noConverter(cniVersion, to);
  }

  private Result040 to040(String to) {
    List<Result040.IpConfig> ips = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    if (ip4 != null) {
      ips.add(new Result040.IpConfig("4", null, ip4.ip(), ip4.gateway()));
      routes.addAll(ip4.routes());
    }
    if (ip6 != null) {
      ips.add(new Result040.IpConfig("6", null, ip6.ip(), ip6.gateway()));
      routes.addAll(ip6.routes());
    }
    return new Result040(to, List.of(), ips, routes, dns);
  }

  @Override
  public ObjectNode toJsonNode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    n.put("cniVersion", cniVersion);
    if (ip4 != null) {
      n.set("ip4", ip4.toJsonNode());
    }
    if (ip6 != null) {
      n.set("ip6", ip6.toJsonNode());
    }
    n.set("dns", dns.toJsonNode());
    return n;
  }

  static Result020 fromJson(JsonNode n) throws CniException {
    JsonFields f = JsonFields.of(n, "Result");
    String v = f.string("cniVersion");
    if (!v.isEmpty()) {
      Results.checkVersion(List.of("", "0.1.0", "0.2.0"), v);
    }
    JsonNode ip4 = f.get("ip4");
    JsonNode ip6 = f.get("ip6");
    return new Result020(v.isEmpty() ? "0.1.0" : v, IpConfig.fromJson(ip4), IpConfig.fromJson(ip6),
        Dns.fromJson(f.get("dns")));
  }
}
