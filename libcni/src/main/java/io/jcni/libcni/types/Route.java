package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import java.net.InetAddress;
import java.util.Objects;

/**
 * A route of a CNI result ({@code routes[]}), the same in every result version.
 *
 * <p>{@code mtu}, {@code advmss} and {@code priority} are Go {@code int}s with {@code omitempty}, so 0 means unset
 * and is stored as null; {@code table} and {@code scope} are pointers in Go, so 0 is kept.
 *
 * @param dst destination network (required)
 * @param gw next hop, or null for the interface's default gateway
 * @param mtu route MTU, or null
 * @param advmss advertised MSS, or null
 * @param priority route metric, or null
 * @param table routing table, or null for main
 * @param scope route scope, or null for the kernel default
 */
public record Route(
    IpNet dst, InetAddress gw, Integer mtu, Integer advmss, Integer priority, Integer table, Integer scope) {

  public Route {
    Objects.requireNonNull(dst, "dst");
    mtu = zeroIsNull(mtu);
    advmss = zeroIsNull(advmss);
    priority = zeroIsNull(priority);
  }

  /** A route with only a destination and a gateway (null for none). */
  public static Route of(IpNet dst, InetAddress gw) {
    return new Route(dst, gw, null, null, null, null, null);
  }

  static Integer zeroIsNull(Integer i) {
    return i == null || i == 0 ? null : i;
  }

  /** The JSON object, members in Go's struct order ({@code dst, gw, mtu, advmss, priority, table, scope}). */
  public ObjectNode toJsonNode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    n.put("dst", dst.toString());
    if (gw != null) {
      n.put("gw", Ips.format(gw));
    }
    putIfSet(n, "mtu", mtu);
    putIfSet(n, "advmss", advmss);
    putIfSet(n, "priority", priority);
    putIfSet(n, "table", table);
    putIfSet(n, "scope", scope);
    return n;
  }

  static void putIfSet(ObjectNode n, String key, Integer v) {
    if (v != null) {
      n.put(key, v.intValue());
    }
  }

  /** Reads a route object; {@code dst} is required. */
  public static Route fromJson(JsonNode n) throws CniException {
    JsonFields f = JsonFields.of(n, "route");
    return new Route(f.requiredIpNet("dst"), f.ip("gw"), f.integer("mtu"), f.integer("advmss"),
        f.integer("priority"), f.integer("table"), f.integer("scope"));
  }
}
