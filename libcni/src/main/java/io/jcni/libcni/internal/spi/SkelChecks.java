package io.jcni.libcni.internal.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.version.PluginInfo;
import io.jcni.libcni.version.Version;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks Go's {@code pkg/skel} makes before it calls a plugin, in skel's order and with its codes and texts:
 * required variables, the network name, the container ID and interface name, and the version gates of each
 * command.
 *
 * <p>An exec'd Go plugin makes them itself; jcni makes the same ones before an in-process plugin runs (through
 * {@code Skel} or inline), so an input a binary would refuse is refused before anything is created, whichever way
 * the plugin runs.
 */
public final class SkelChecks {
  private static final Map<Command, List<String>> REQUIRED = Map.of(
      Command.ADD, List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
      Command.CHECK, List.of("CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"),
      Command.DEL, List.of("CNI_CONTAINERID", "CNI_IFNAME"));

  private SkelChecks() {}

  /**
   * Checks one call of a plugin that supports {@code info}'s versions; VERSION needs no check. A {@code null}
   * command (one skel does not know) gets the checks every command gets, as skel makes them before it finds the
   * command unknown.
   *
   * @throws CniException what skel prints for the first problem found
   */
  public static void check(Command command, CmdArgs args, PluginInfo info) throws CniException {
    if (command == Command.VERSION) {
      return;
    }
    if (command != null) {
      requireVariables(command, args);
    }
    JsonNode conf = networkConfig(args.stdinData());
    if (command != Command.GC && command != Command.STATUS) {
      AttachmentNames.checkContainerId(args.containerId());
      AttachmentNames.checkInterfaceName(args.ifName());
    }
    if (command == null) {
      return;
    }
    String version = configVersion(conf);
    switch (command) {
      case ADD, DEL -> info.requireSupports(version);
      case CHECK -> gate(info, version, "0.4.0", command);
      case GC, STATUS -> gate(info, version, "1.1.0", command);
      default -> { }
    }
  }

  /** skel's {@code required env variables [A,B] missing} (code 4), for the variables a command needs. */
  public static void requireVariables(Command command, CmdArgs args) throws CniException {
    List<String> missing = new ArrayList<>();
    for (String v : REQUIRED.getOrDefault(command, List.of())) {
      String value = switch (v) {
        case "CNI_CONTAINERID" -> args.containerId();
        case "CNI_NETNS" -> args.netns();
        default -> args.ifName();
      };
      if (value.isEmpty()) {
        missing.add(v);
      }
    }
    if (!missing.isEmpty()) {
      throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "required env variables [" + String.join(",", missing) + "] missing");
    }
  }

  /** skel's gate for commands newer than the first spec: the config, and some supported version, must be new enough. */
  private static void gate(PluginInfo info, String confVersion, String min, Command cmd) throws CniException {
    boolean configOk;
    boolean pluginOk = false;
    try {
      configOk = Version.atLeast(confVersion, min);
      for (String v : info.supportedVersions()) {
        pluginOk |= Version.atLeast(v, confVersion);
      }
    } catch (CniException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, e.getMessage(), "", e);
    }
    if (!configOk) {
      throw new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION, "config version does not allow " + cmd);
    }
    if (!pluginOk) {
      throw new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION, "plugin version does not allow " + cmd);
    }
    info.requireSupports(confVersion);
  }

  /** The stdin configuration, checked as skel's {@code validateConfig}: JSON with a valid network name. */
  private static JsonNode networkConfig(byte[] stdinData) throws CniException {
    JsonNode conf;
    try {
      conf = GoJson.mapper().readTree(stdinData);
      if (conf == null || conf.isMissingNode()) {
        throw new IOException("unexpected end of JSON input");
      }
    } catch (IOException e) {
      String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new CniException(ErrorCode.DECODING_FAILURE, "error unmarshall network config: " + m);
    }
    if (!conf.isObject() && !conf.isNull()) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "error unmarshall network config: json: cannot unmarshal "
          + (conf.isArray() ? "array" : conf.isTextual() ? "string" : conf.isNumber() ? "number" : "bool")
          + " into Go value of type struct { Name string \"json:\\\"name\\\"\" }");
    }
    JsonNode name = conf.isObject() ? JsonFields.lookup((ObjectNode) conf, "name") : null;
    if (name != null && !name.isTextual() && !name.isNull()) {
      throw new CniException(ErrorCode.DECODING_FAILURE,
          "error unmarshall network config: json: cannot unmarshal " + (name.isNumber() ? "number" : "value")
              + " into Go struct field .name of type string");
    }
    String n = name == null || name.isNull() ? "" : name.textValue();
    if (n.isEmpty()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "missing network name");
    }
    AttachmentNames.checkNetworkName(n);
    return conf;
  }

  private static String configVersion(JsonNode conf) throws CniException {
    JsonNode v = conf.isObject() ? JsonFields.lookup((ObjectNode) conf, "cniVersion") : null;
    if (v != null && !v.isNull() && !v.isTextual()) {
      throw new CniException(ErrorCode.DECODING_FAILURE,
          "decoding version from network config: json: cannot unmarshal number into Go struct field"
              + " .cniVersion of type string");
    }
    String s = v == null || v.isNull() ? "" : v.textValue();
    return s.isEmpty() ? "0.1.0" : s;
  }
}
