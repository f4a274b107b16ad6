package io.jcni.libcni.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A plugin chain's result as an embedder reads it, whatever its version (go-cni's {@code Result}): interfaces by
 * name with their MAC and addresses, plus all addresses, the routes and DNS.
 *
 * <p>Made from any {@link Result} (0.1.0 … 1.1.0) by converting it to 1.1.0 with libcni's rules. Results before
 * 0.3.0 name no interfaces; their addresses are then in {@link #ips()} only.
 *
 * @param cniVersion the version the plugin printed its result in
 * @param interfaces every interface of the result by name, in result order (sandbox and host side)
 * @param ips every address, in result order, including those tied to no interface
 * @param routes the routes
 * @param dns the DNS settings, {@link Dns#EMPTY} when none
 */
public record NetworkResult(
    String cniVersion, Map<String, InterfaceConfig> interfaces, List<IpAddress> ips, List<Route> routes, Dns dns) {

  public NetworkResult {
    Objects.requireNonNull(cniVersion, "cniVersion");
    interfaces = Collections.unmodifiableMap(new LinkedHashMap<>(interfaces));
    ips = List.copyOf(ips);
    routes = List.copyOf(routes);
    dns = dns == null ? Dns.EMPTY : dns;
  }

  /** The typed view of {@code result}. */
  public static NetworkResult of(Result result) {
    Result100 r;
    try {
      r = (Result100) result.convertTo(Result100.IMPLEMENTED);
    } catch (CniException e) {
      // Every version converts up to 1.1.0; a failure here is a bug, not bad input.
      throw new IllegalStateException("cannot convert result " + result.cniVersion() + " to 1.1.0", e);
    }
    List<List<IpAddress>> perInterface = new ArrayList<>();
    r.interfaces().forEach(i -> perInterface.add(new ArrayList<>()));
    List<IpAddress> all = new ArrayList<>();
    for (IpConfig ip : r.ips()) {
      IpAddress a = new IpAddress(ip.address(), ip.gateway());
      all.add(a);
      Integer idx = ip.interfaceIndex();
      if (idx != null && idx >= 0 && idx < perInterface.size()) {
        perInterface.get(idx).add(a);
      }
    }
    Map<String, InterfaceConfig> byName = new LinkedHashMap<>();
    for (int i = 0; i < r.interfaces().size(); i++) {
      Interface itf = r.interfaces().get(i);
      // Go's go-cni keys by name too: a later interface of the same name wins.
      byName.put(itf.name(), new InterfaceConfig(itf.name(), itf.mac(), itf.sandbox(), perInterface.get(i)));
    }
    return new NetworkResult(result.cniVersion(), byName, all, r.routes(), r.dns());
  }

  /** The interface called {@code name}, if the result has one. */
  public Optional<InterfaceConfig> iface(String name) {
    return Optional.ofNullable(interfaces.get(name));
  }

  /** The interfaces inside the sandbox (those the result gives a namespace path), by name. */
  public Map<String, InterfaceConfig> sandboxInterfaces() {
    Map<String, InterfaceConfig> out = new LinkedHashMap<>();
    interfaces.forEach((name, c) -> {
      if (c.inSandbox()) {
        out.put(name, c);
      }
    });
    return Collections.unmodifiableMap(out);
  }
}
