package io.jcni.libcni.internal.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The bytes a plugin reads on stdin: its configuration from the list with the list's {@code name} and
 * {@code cniVersion}, the previous plugin's result and the runtime's capability arguments injected, as Go's
 * {@code buildOneConfig}/{@code injectRuntimeConfig} produce them.
 *
 * <p>Go re-marshals the configuration through a map, so keys come out sorted and compact; a {@code prevResult}
 * keeps its own (struct) key order unless a {@code runtimeConfig} is injected too, because only then does Go make
 * a second pass through a map. Matching this keeps the stdin bytes identical to Go's.
 */
public final class Stdin {
  private Stdin() {}

  /**
   * Returns the stdin bytes for one plugin of a list.
   *
   * @param pluginConf the plugin's configuration as it appears in the list (a JSON object)
   * @param name the list's name, which overwrites the plugin's
   * @param cniVersion the list's version, which overwrites the plugin's
   * @param prevResult the previous result to pass on, or {@code null} for none
   * @param capabilities the plugin's {@code capabilities}; only those set to true are passed on
   * @param capabilityArgs the runtime's capability arguments; those enabled and present become
   *     {@code runtimeConfig}, which then replaces any the configuration had
   * @throws CniException code 6 when {@code pluginConf} is not a JSON object
   */
  public static byte[] build(
      byte[] pluginConf,
      String name,
      String cniVersion,
      JsonNode prevResult,
      Map<String, Boolean> capabilities,
      Map<String, Object> capabilityArgs)
      throws CniException {
    JsonNode parsed;
    try {
      parsed = GoJson.parse(pluginConf);
    } catch (GoJson.GoJsonException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "unmarshal existing network bytes: " + e.getMessage());
    }
    if (!parsed.isObject()) {
      throw new CniException(
          ErrorCode.DECODING_FAILURE,
          "unmarshal existing network bytes: "
              + GoJson.typeMismatch(parsed, "map[string]interface {}"));
    }
    ObjectNode conf = (ObjectNode) parsed;
    conf.put("name", name == null ? "" : name);
    conf.put("cniVersion", cniVersion == null ? "" : cniVersion);
    if (prevResult != null && !prevResult.isNull()) {
      conf.set("prevResult", prevResult);
    }
    ObjectNode runtimeConfig = GoJson.mapper().createObjectNode();
    if (capabilities != null && capabilityArgs != null) {
      // Go ranges over a map here; the marshalled runtimeConfig is sorted anyway.
      for (Map.Entry<String, Boolean> c : new TreeMap<>(capabilities).entrySet()) {
        if (Boolean.TRUE.equals(c.getValue()) && capabilityArgs.containsKey(c.getKey())) {
          runtimeConfig.set(c.getKey(), GoJson.mapper().valueToTree(capabilityArgs.get(c.getKey())));
        }
      }
    }
    if (!runtimeConfig.isEmpty()) {
      conf.set("runtimeConfig", runtimeConfig);
      return GoJson.marshal(conf);
    }
    // prevResult is a struct in Go's request, so only the top level and the other entries come out sorted.
    return GoJson.marshal(conf, Set.of("prevResult"));
  }

}
