package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A CNI 1.x result (1.0.0 and 1.1.0): interfaces, IPs pointing at them, routes and DNS.
 *
 * <p>Go writes this shape through a map, so JSON members come out in sorted key order at every level, and an
 * empty {@code dns} is left out. A null or empty {@code cniVersion} becomes {@code 1.1.0}.
 *
 * @param cniVersion "1.0.0" or "1.1.0"
 * @param interfaces the interfaces, in index order
 * @param ips the addresses
 * @param routes the routes
 * @param dns DNS settings, {@link Dns#EMPTY} when none
 */
public record Result100(
    String cniVersion, List<Interface> interfaces, List<IpConfig> ips, List<Route> routes, Dns dns)
    implements Result {
  /** The versions this shape serves, as Go lists them. */
  public static final List<String> VERSIONS = List.of("1.0.0", "1.1.0");
  /** The version this shape implements ({@code ImplementedSpecVersion}). */
  public static final String IMPLEMENTED = "1.1.0";

  public Result100 {
    cniVersion = Results.shapeVersion(cniVersion, IMPLEMENTED, VERSIONS, "Result100");
    interfaces = copy(interfaces);
    ips = copy(ips);
    routes = copy(routes);
    dns = dns == null ? Dns.EMPTY : dns;
  }

  static <T> List<T> copy(List<T> l) {
    return l == null ? List.of() : List.copyOf(l);
  }

  @Override
  public Result convertTo(String version) throws CniException {
    String to = Results.target(version);
    if (to.equals(cniVersion)) {
      return this;
    }
    if (VERSIONS.contains(to)) {
      return new Result100(to, interfaces, ips, routes, dns);
    }
    if (Result040.VERSIONS.contains(to)) {
      return to040(to);
    }
    if (Result020.VERSIONS.contains(to)) {
      return to040("0.4.0").convertTo(to);
    }
    throw Results.noConverter(cniVersion, to);
  }

  private Result040 to040(String to) {
    List<Result040.Interface> ifs = new ArrayList<>();
    for (Interface i : interfaces) {
      ifs.add(new Result040.Interface(i.name(), i.mac(), i.sandbox()));
    }
    List<Result040.IpConfig> ipcs = new ArrayList<>();
    for (IpConfig ip : ips) {
      // Go derives the 0.x "version" from the address family (To4), not from any stored value.
      String v = ip.address().ip() instanceof Inet4Address ? "4" : "6";
      ipcs.add(new Result040.IpConfig(v, ip.interfaceIndex(), ip.address(), ip.gateway()));
    }
    return new Result040(to, ifs, ipcs, routes, dns);
  }

  /** Builds a 1.x result from a 0.3.x/0.4.0 one: drops {@code version}, keeps interfaces, routes and DNS. */
  static Result100 from040(Result040 r, String to) {
    List<Interface> ifs = new ArrayList<>();
    for (Result040.Interface i : r.interfaces()) {
      ifs.add(new Interface(i.name(), i.mac(), null, i.sandbox(), null, null));
    }
    List<IpConfig> ipcs = new ArrayList<>();
    for (Result040.IpConfig ip : r.ips()) {
      ipcs.add(new IpConfig(ip.interfaceIndex(), ip.address(), ip.gateway()));
    }
    return new Result100(to, ifs, ipcs, r.routes(), r.dns());
  }

  @Override
  public ObjectNode toJsonNode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    n.put("cniVersion", cniVersion);
    Results.putList(n, "interfaces", interfaces, Interface::toJsonNode);
    Results.putList(n, "ips", ips, IpConfig::toJsonNode);
    Results.putList(n, "routes", routes, Route::toJsonNode);
    if (!dns.isEmpty()) {
      n.set("dns", dns.toJsonNode());
    }
    // Go's Result.MarshalJSON round-trips through map[string]interface{}, which sorts keys at every level.
    return (ObjectNode) GoJson.sorted(n);
  }

  /** Reads a 1.x result object; its {@code cniVersion} must be 1.0.0 or 1.1.0. */
  static Result100 fromJson(JsonNode n) throws CniException {
    JsonFields f = JsonFields.of(n, "Result");
    String v = f.string("cniVersion");
    Results.checkVersion(VERSIONS, v);
    return new Result100(v, f.list("interfaces", Interface::fromJson), f.list("ips", IpConfig::fromJson),
        f.list("routes", Route::fromJson), Dns.fromJson(f.get("dns")));
  }

  /** The IPs on interface {@code index}. */
  public List<IpConfig> ipsOn(int index) {
    return ips.stream().filter(ip -> Objects.equals(ip.interfaceIndex(), index)).toList();
  }
}
