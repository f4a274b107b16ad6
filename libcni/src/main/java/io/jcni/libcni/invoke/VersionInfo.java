package io.jcni.libcni.invoke;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code VERSION} exchange with a plugin: the request Go's {@code invoke.GetVersionInfo} sends and the
 * decoding of the answer, including the rules for plugins older than the command.
 */
public final class VersionInfo {
  /** The stdin sent with VERSION. */
  static final byte[] REQUEST = ("{\"cniVersion\":\"" + DispatchingInvoker.CURRENT_VERSION + "\"}")
      .getBytes(StandardCharsets.UTF_8);

  private VersionInfo() {}

  /**
   * Asks the plugin of {@code type} which versions it supports. A plugin that predates VERSION (it answers
   * {@code unknown CNI_COMMAND: VERSION}) supports 0.1.0 only.
   */
  public static PluginInfo getVersionInfo(PluginInvoker invoker, String type) throws CniException {
    // Go sends placeholders so plugins that validate their environment before the command still answer.
    CmdArgs args = new CmdArgs("", "dummy", "dummy", "", List.of("dummy"), REQUEST);
    byte[] out;
    try {
      out = invoker.invoke(Command.VERSION, type, args);
    } catch (CniException e) {
      if ("unknown CNI_COMMAND: VERSION".equals(e.getMessage())) {
        return PluginInfo.supports("0.1.0");
      }
      throw e;
    }
    return decode(out);
  }

  /** Decodes a VERSION answer as Go's {@code version.PluginDecoder}. */
  public static PluginInfo decode(byte[] json) throws CniException {
    JsonNode n;
    try {
      n = GoJson.parse(json);
    } catch (GoJson.GoJsonException e) {
      throw failure(e.getMessage());
    }
    if (!n.isObject() && !n.isNull()) {
      throw failure(GoJson.typeMismatch(n, "version.pluginInfo"));
    }
    String cniVersion = "";
    List<String> supported = new ArrayList<>();
    for (Map.Entry<String, JsonNode> f : n.properties()) {
      JsonNode v = f.getValue();
      String key = f.getKey().toLowerCase(Locale.ROOT);
      if (v.isNull()) {
        continue;
      }
      if (key.equals("cniversion")) {
        if (!v.isTextual()) {
          throw failure(fieldMismatch(v, "cniVersion", "string"));
        }
        cniVersion = v.textValue();
      } else if (key.equals("supportedversions")) {
        if (!v.isArray()) {
          throw failure(fieldMismatch(v, "supportedVersions", "[]string"));
        }
        supported.clear();
        for (JsonNode s : v) {
          if (!s.isTextual()) {
            throw failure(fieldMismatch(s, "supportedVersions", "string"));
          }
          supported.add(s.textValue());
        }
      }
    }
    if (cniVersion.isEmpty()) {
      throw failure("missing field cniVersion");
    }
    if (supported.isEmpty()) {
      if (cniVersion.equals("0.2.0")) {
        return PluginInfo.supports("0.1.0", "0.2.0");
      }
      throw failure("missing field supportedVersions");
    }
    return new PluginInfo(cniVersion, supported);
  }

  private static String fieldMismatch(JsonNode v, String field, String goType) {
    return GoJson.typeMismatch(v, goType)
        .replace("Go value of type " + goType, "Go struct field pluginInfo." + field + " of type " + goType);
  }

  private static CniException failure(String why) {
    return new CniException(ErrorCode.DECODING_FAILURE, "decoding version info: " + why);
  }
}
