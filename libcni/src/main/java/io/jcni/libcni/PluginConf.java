package io.jcni.libcni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.types.ByteText;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One plugin's network configuration: the JSON object a plugin reads on stdin, with the few members libcni itself
 * looks at (Go's {@code PluginConfig}: {@code types.PluginConf} plus the raw bytes).
 *
 * <p>{@link #bytes()} is the configuration exactly as loaded (for a conflist element: re-marshalled with sorted
 * keys, as Go does); it is what gets sent to the plugin and cached. Accessors return copies, so a value can be
 * shared freely. Build one with {@link ConfLoader#pluginConfFromBytes}.
 *
 * @param name the {@code name} member, or ""
 * @param cniVersion the {@code cniVersion} member, or ""
 * @param type the plugin type (never empty)
 * @param capabilities the {@code capabilities} member (false entries kept), in file order
 * @param ipamType {@code ipam.type}, or "" when there is no IPAM
 * @param config the parsed object
 * @param bytes the raw JSON bytes
 */
public record PluginConf(
    String name,
    String cniVersion,
    String type,
    Map<String, Boolean> capabilities,
    String ipamType,
    ObjectNode config,
    byte[] bytes) {

  public PluginConf {
    name = name == null ? "" : name;
    cniVersion = cniVersion == null ? "" : cniVersion;
    type = Objects.requireNonNull(type, "type");
    capabilities = capabilities == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(capabilities));
    ipamType = ipamType == null ? "" : ipamType;
    config = Objects.requireNonNull(config, "config").deepCopy();
    bytes = Objects.requireNonNull(bytes, "bytes").clone();
  }

  /** A copy of the parsed configuration object. */
  @Override
  public ObjectNode config() {
    return config.deepCopy();
  }

  /** A copy of the raw configuration bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Whether {@code capabilities[key]} is true. */
  public boolean hasCapability(String key) {
    return Boolean.TRUE.equals(capabilities.get(key));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PluginConf p && name.equals(p.name) && cniVersion.equals(p.cniVersion)
        && type.equals(p.type) && capabilities.equals(p.capabilities) && ipamType.equals(p.ipamType)
        && config.equals(p.config) && Arrays.equals(bytes, p.bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, cniVersion, type, capabilities, ipamType, config, Arrays.hashCode(bytes));
  }

  @Override
  public String toString() {
    return "PluginConf[type=" + type + ", name=" + name + ", cniVersion=" + cniVersion + ", bytes="
        + ByteText.of(bytes) + "]";
  }
}
