package io.jcni.libcni.version;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What a plugin answers to the VERSION command: the spec version of its library and the config versions it
 * accepts ({@code {"cniVersion":"1.1.0","supportedVersions":["0.1.0",…]}}), as Go's {@code version.PluginInfo}.
 *
 * @param cniVersion the version the plugin's library implements
 * @param supportedVersions the configuration versions the plugin accepts, in its order
 */
public record PluginInfo(String cniVersion, List<String> supportedVersions) {

  public PluginInfo {
    cniVersion = cniVersion == null ? "" : cniVersion;
    supportedVersions = supportedVersions == null ? List.of() : List.copyOf(supportedVersions);
  }

  /** A plugin built on this library supporting {@code versions} (Go's {@code PluginSupports}). */
  public static PluginInfo supports(String... versions) {
    if (versions.length == 0) {
      throw new IllegalArgumentException("a plugin must support at least one version");
    }
    return new PluginInfo(Versions.CURRENT, Arrays.asList(versions));
  }

  /** A plugin supporting {@link Versions#ALL}. */
  public static PluginInfo all() {
    return new PluginInfo(Versions.CURRENT, Versions.ALL);
  }

  /**
   * Decodes a plugin's VERSION output as Go's {@code PluginDecoder}: {@code cniVersion} is required; a missing or
   * empty {@code supportedVersions} is read as {@link #supports supports("0.1.0", "0.2.0")} when cniVersion is
   * 0.2.0, else an error. Keys match case-insensitively and null is absent, as Go fills its struct.
   *
   * @throws CniException code 6, {@code decoding version info: …} ({@code missing field cniVersion}, {@code missing
   *     field supportedVersions}, or Go's JSON error text)
   */
  public static PluginInfo decode(byte[] json) throws CniException {
    JsonNode n;
    try {
      n = GoJson.parse(json == null ? new byte[0] : json);
    } catch (GoJson.GoJsonException e) {
      throw decodingFailure(e.getMessage());
    }
    if (!n.isObject() && !n.isNull()) {
      throw decodingFailure(GoJson.typeMismatch(n, "version.pluginInfo"));
    }
    String cniVersion;
    List<String> supported;
    try {
      JsonFields f = JsonFields.of(n, "pluginInfo");
      cniVersion = f.string("cniVersion");
      supported = f.strings("supportedVersions");
    } catch (CniException e) {
      throw e.withPrefix("decoding version info: ");
    }
    if (cniVersion.isEmpty()) {
      throw decodingFailure("missing field cniVersion");
    }
    if (supported.isEmpty()) {
      if (cniVersion.equals("0.2.0")) {
        return supports(Versions.LEGACY.toArray(String[]::new));
      }
      throw decodingFailure("missing field supportedVersions");
    }
    return new PluginInfo(cniVersion, supported);
  }

  private static CniException decodingFailure(String why) {
    return new CniException(ErrorCode.DECODING_FAILURE, "decoding version info: " + why);
  }

  /** The VERSION output as Go's skel prints it: compact JSON and a newline. */
  public byte[] encode() {
    ObjectNode n = GoJson.mapper().createObjectNode();
    n.put("cniVersion", cniVersion);
    if (!supportedVersions.isEmpty()) {
      supportedVersions.forEach(n.putArray("supportedVersions")::add);
    }
    byte[] body = GoJson.compact(n);
    byte[] out = Arrays.copyOf(body, body.length + 1);
    out[body.length] = '\n';
    return out;
  }

  /** Whether {@code configVersion} is one of the supported versions (exact string match, as Go). */
  public boolean supports(String configVersion) {
    return supportedVersions.contains(configVersion);
  }

  /**
   * Fails unless {@code configVersion} is supported, with the error Go's skel prints: code 1, {@code incompatible
   * CNI versions}, details {@code config is "X", plugin supports ["a" "b"]}.
   */
  public void requireSupports(String configVersion) throws CniException {
    if (!supports(configVersion)) {
      throw new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION, "incompatible CNI versions",
          "config is " + GoJson.quote(configVersion) + ", plugin supports "
              + supportedVersions.stream().map(GoJson::quote).collect(Collectors.joining(" ", "[", "]")));
    }
  }
}
