package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A CNI 0.3.0/0.3.1/0.4.0 result: like 1.x, but each IP carries {@code "version":"4"|"6"}, interfaces have only
 * name, MAC and sandbox, and {@code dns} is always written ({@code {}} when empty). JSON members follow Go's
 * struct order. A null or empty {@code cniVersion} becomes {@code 0.4.0}.
 *
 * @param cniVersion "0.3.0", "0.3.1" or "0.4.0"
 * @param interfaces the interfaces, in index order
 * @param ips the addresses
 * @param routes the routes
 * @param dns DNS settings, {@link Dns#EMPTY} when none
 */
public record Result040(
    String cniVersion, List<Interface> interfaces, List<IpConfig> ips, List<Route> routes, Dns dns)
    implements Result {
  /** The versions this shape serves, as Go lists them. */
  public static final List<String> VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0");
  /** The version this shape implements. */
  public static final String IMPLEMENTED = "0.4.0";

  public Result040 {
    cniVersion = Results.shapeVersion(cniVersion, IMPLEMENTED, VERSIONS, "Result040");
    interfaces = Result100.copy(interfaces);
    ips = Result100.copy(ips);
    routes = Result100.copy(routes);
    dns = dns == null ? Dns.EMPTY : dns;
  }

  /**
   * An interface of a 0.3.x/0.4.0 result.
   *
   * @param name interface name (always written)
   * @param mac hardware address, or ""
   * @param sandbox netns path of a container-side interface, or ""
   */
  public record Interface(String name, String mac, String sandbox) {
    public Interface {
      name = name == null ? "" : name;
      mac = mac == null ? "" : mac;
      sandbox = sandbox == null ? "" : sandbox;
    }

    ObjectNode toJsonNode() {
      ObjectNode n = GoJson.mapper().createObjectNode();
      n.put("name", name);
      io.jcni.libcni.types.Interface.putIfSet(n, "mac", mac);
      io.jcni.libcni.types.Interface.putIfSet(n, "sandbox", sandbox);
      return n;
    }

    static Interface fromJson(JsonNode n) throws CniException {
      JsonFields f = JsonFields.of(n, "Interface");
      return new Interface(f.string("name"), f.string("mac"), f.string("sandbox"));
    }
  }

  /**
   * An IP of a 0.3.x/0.4.0 result.
   *
   * @param version "4" or "6" as written (null derives it from the address family)
   * @param interfaceIndex index into {@code interfaces} (JSON {@code interface}; 0 kept, null omitted)
   * @param address address with prefix, host bits kept (required)
   * @param gateway gateway, or null
   */
  public record IpConfig(String version, Integer interfaceIndex, IpNet address, InetAddress gateway) {
    public IpConfig {
      Objects.requireNonNull(address, "address");
      version = version == null ? (address.ip() instanceof Inet4Address ? "4" : "6") : version;
    }

    ObjectNode toJsonNode() {
      ObjectNode n = GoJson.mapper().createObjectNode();
      n.put("version", version);
      Route.putIfSet(n, "interface", interfaceIndex);
      n.put("address", address.toString());
      if (gateway != null) {
        n.put("gateway", Ips.format(gateway));
      }
      return n;
    }

    static IpConfig fromJson(JsonNode n) throws CniException {
      JsonFields f = JsonFields.of(n, "ipConfig");
      // Go keeps the string as written, even "" or "5"; conversion to 0.1/0.2 then ignores such entries.
      return new IpConfig(f.string("version"), f.integer("interface"), f.requiredIpNet("address"), f.ip("gateway"));
    }
  }

  @Override
  public Result convertTo(String version) throws CniException {
    String to = Results.target(version);
    if (to.equals(cniVersion)) {
      return this;
    }
    if (VERSIONS.contains(to)) {
      return new Result040(to, interfaces, ips, routes, dns);
    }
    if (Result100.VERSIONS.contains(to)) {
      return Result100.from040(this, to);
    }
    if (Result020.VERSIONS.contains(to)) {
      return to020(to);
    }
    throw Results.noConverter(cniVersion, to);
  }

  private Result020 to020(String to) throws CniException {
    IpConfig v4 = null;
    IpConfig v6 = null;
    for (IpConfig ip : ips) {
      if (v4 == null && ip.version().equals("4")) {
        v4 = ip;
      } else if (v6 == null && ip.version().equals("6")) {
        v6 = ip;
      }
    }
    if (v4 == null && v6 == null) {
      throw new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION, "cannot convert: no valid IP addresses");
    }
    List<Route> r4 = new ArrayList<>();
    List<Route> r6 = new ArrayList<>();
    for (Route r : routes) {
      // 0.1/0.2 routes only have dst and gw, and go with the IP of the destination's family.
      if (r.dst().isIpv4()) {
        r4.add(Route.of(r.dst(), r.gw()));
      } else {
        r6.add(Route.of(r.dst(), r.gw()));
      }
    }
    return new Result020(to,
        v4 == null ? null : new Result020.IpConfig(v4.address(), v4.gateway(), r4),
        v6 == null ? null : new Result020.IpConfig(v6.address(), v6.gateway(), r6),
        dns);
  }

  @Override
  public ObjectNode toJsonNode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    n.put("cniVersion", cniVersion);
    Results.putList(n, "interfaces", interfaces, Interface::toJsonNode);
    Results.putList(n, "ips", ips, IpConfig::toJsonNode);
    Results.putList(n, "routes", routes, Route::toJsonNode);
    // omitempty has no effect on a Go struct, so 0.x always prints dns.
    n.set("dns", dns.toJsonNode());
    return n;
  }

  static Result040 fromJson(JsonNode n) throws CniException {
    JsonFields f = JsonFields.of(n, "Result");
    String v = f.string("cniVersion");
    Results.checkVersion(VERSIONS, v);
    return new Result040(v, f.list("interfaces", Interface::fromJson), f.list("ips", IpConfig::fromJson),
        f.list("routes", Route::fromJson), Dns.fromJson(f.get("dns")));
  }
}
