package io.jcni.libcni.version;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.GoJson;
import io.jcni.libcni.types.JsonFields;
import java.io.IOException;
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
   * empty {@code supportedVersions} is read as {@code ["0.1.0","0.2.0"]} when cniVersion is 0.2.0, else an error.
   *
   * @throws CniException code 6, {@code decoding version info: …} ({@code missing field cniVersion}, {@code missing
   *     field supportedVersions}, or the JSON error)
   */
  public static PluginInfo decode(byte[] json) throws CniException {
    JsonFields f;
    try {
      JsonNode n = GoJson.mapper().readTree(json == null ? new byte[0] : json);
      if (n == null || n.isMissingNode()) {
        throw JsonFields.decoding("unexpected end of JSON input");
      }
      f = JsonFields.of(n, "version.pluginInfo");
      String cni = f.string("cniVersion");
      List<String> supported = f.strings("supportedVersions");
      if (cni.isEmpty()) {
        throw JsonFields.decoding("missing field cniVersion");
      }
      if (supported.isEmpty()) {
        if (cni.equals("0.2.0")) {
          return new PluginInfo(cni, Versions.LEGACY);
        }
        throw JsonFields.decoding("missing field supportedVersions");
      }
      return new PluginInfo(cni, supported);
    } catch (JsonProcessingException e) {
      throw JsonFields.decoding("decoding version info: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw JsonFields.decoding("decoding version info: " + e.getMessage());
    } catch (CniException e) {
      throw e.withPrefix("decoding version info: ");
    }
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
          "config is " + goQuote(configVersion) + ", plugin supports "
              + supportedVersions.stream().map(PluginInfo::goQuote).collect(Collectors.joining(" ", "[", "]")));
    }
  }

  /** Go's {@code %q} for the plain strings versions are. */
  private static String goQuote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
