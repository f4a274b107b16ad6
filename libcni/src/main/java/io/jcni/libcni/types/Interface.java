package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;

/**
 * A network interface in a 1.x CNI result ({@code interfaces[]}); {@link IpConfig#interfaceIndex()} points here.
 *
 * @param name interface name (always written, even when empty)
 * @param mac hardware address, or ""
 * @param mtu MTU, or null (0 is unset, as in Go)
 * @param sandbox the netns path for a container-side interface, "" for a host-side one
 * @param socketPath vhost-user and similar socket path, or ""
 * @param pciID PCI address of a device-backed interface, or ""
 */
public record Interface(String name, String mac, Integer mtu, String sandbox, String socketPath, String pciID) {

  public Interface {
    name = name == null ? "" : name;
    mac = mac == null ? "" : mac;
    mtu = Route.zeroIsNull(mtu);
    sandbox = sandbox == null ? "" : sandbox;
    socketPath = socketPath == null ? "" : socketPath;
    pciID = pciID == null ? "" : pciID;
  }

  /** A host-side interface with a name and MAC. */
  public static Interface of(String name, String mac) {
    return new Interface(name, mac, null, null, null, null);
  }

  /** A container-side interface with a name, MAC and sandbox (the netns path). */
  public static Interface of(String name, String mac, String sandbox) {
    return new Interface(name, mac, null, sandbox, null, null);
  }

  /** The JSON object, members in Go's struct order. */
  public ObjectNode toJsonNode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    n.put("name", name);
    putIfSet(n, "mac", mac);
    Route.putIfSet(n, "mtu", mtu);
    putIfSet(n, "sandbox", sandbox);
    putIfSet(n, "socketPath", socketPath);
    putIfSet(n, "pciID", pciID);
    return n;
  }

  static void putIfSet(ObjectNode n, String key, String v) {
    if (!v.isEmpty()) {
      n.put(key, v);
    }
  }

  /** Reads an interface object. */
  public static Interface fromJson(JsonNode n) throws CniException {
    JsonFields f = JsonFields.of(n, "Interface");
    return new Interface(f.string("name"), f.string("mac"), f.integer("mtu"), f.string("sandbox"),
        f.string("socketPath"), f.string("pciID"));
  }
}
