package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.internal.types.Ips;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP address in a 1.x CNI result ({@code ips[]}).
 *
 * @param interfaceIndex index into the result's {@code interfaces}, JSON key {@code interface}; 0 is a real index
 *     and is written, null means "not tied to an interface" and is left out
 * @param address the address with its prefix, host bits kept (required)
 * @param gateway the gateway, or null
 */
public record IpConfig(Integer interfaceIndex, IpNet address, InetAddress gateway) {

  public IpConfig {
    Objects.requireNonNull(address, "address");
  }

  /** An address on interface {@code interfaceIndex} (null for none) with an optional gateway. */
  public static IpConfig of(Integer interfaceIndex, IpNet address, InetAddress gateway) {
    return new IpConfig(interfaceIndex, address, gateway);
  }

  /** The JSON object, members in Go's struct order ({@code interface, address, gateway}). */
  public ObjectNode toJsonNode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    Route.putIfSet(n, "interface", interfaceIndex);
    n.put("address", address.toString());
    if (gateway != null) {
      n.put("gateway", Ips.format(gateway));
    }
    return n;
  }

  /** Reads an IP config object; {@code address} is required. */
  public static IpConfig fromJson(JsonNode n) throws CniException {
    JsonFields f = JsonFields.of(n, "ipConfig");
    return new IpConfig(f.integer("interface"), f.requiredIpNet("address"), f.ip("gateway"));
  }
}
