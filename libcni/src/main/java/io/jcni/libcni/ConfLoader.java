package io.jcni.libcni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.version.Version;
import io.jcni.libcni.version.Versions;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds and parses CNI network configurations ({@code .conflist}, and the deprecated single-plugin {@code .conf}
 * and {@code .json}) with Go libcni's rules and error texts.
 *
 * <p>Parse errors are {@link CniException}s with code {@link ErrorCode#INVALID_NETWORK_CONFIG} and, when a file is
 * involved, the file name in front: {@code /etc/cni/net.d/10-x.conflist: error parsing configuration list: no
 * name}. Read errors have code {@link ErrorCode#IO_FAILURE}; only regular files (or symlinks to them) of at most
 * 1 MiB are read, so a FIFO, device or endless file named like a configuration is such an error, never a hang.
 */
public final class ConfLoader {
  private static final List<String> CONFLIST_EXTS = List.of(".conflist");
  private static final List<String> CONF_EXTS = List.of(".conf", ".json");

  private ConfLoader() {}

  /**
   * The files in {@code dir} whose extension (from the last dot of the name, dot included, case-sensitive) is one
   * of {@code exts}, in name order. Directories are skipped, a symlink to one is not; there is no recursion. A
   * missing directory gives an empty list, as in Go.
   *
   * @param exts extensions with their dot, e.g. {@code List.of(".conf", ".json")}
   */
  public static List<Path> confFiles(Path dir, List<String> exts) throws CniException {
    List<Path> out = new ArrayList<>();
    // A missing plugin folder is the common case; java.io.File answers without the cost of an exception.
    if (!dir.toFile().exists() && !Files.isSymbolicLink(dir)) {
      return List.of();
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (exts.contains(extension(p.getFileName().toString()))) {
          out.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new CniException(ErrorCode.IO_FAILURE, "open " + dir + ": " + ConfFileReader.reason(e), "", e);
    }
    out.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return out;
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot);
  }

  /**
   * Loads the network called {@code name} from {@code dir} as Go's {@code LoadNetworkConf}: the {@code .conflist}
   * files first, in name order (any unparsable one aborts the search); then the {@code .conf}/{@code .json}
   * single-plugin files, wrapped by {@link #confListFromConf}.
   *
   * @throws NoConfigsFoundException when the directory has no configuration files at all
   * @throws NotFoundException when no configuration has that name
   */
  public static NetworkConfigList loadConfList(Path dir, String name) throws CniException {
    List<Path> lists = confFiles(dir, CONFLIST_EXTS);
    for (Path f : lists) {
      NetworkConfigList l = confListFromFile(f);
      if (l.name().equals(name)) {
        return l;
      }
    }
    PluginConf single;
    try {
      single = loadConf(dir, name);
    } catch (NoConfigsFoundException e) {
      if (!lists.isEmpty()) {
        throw new NotFoundException(dir, name);
      }
      throw e;
    }
    return confListFromConf(single);
  }

  /**
   * Loads the single-plugin configuration ({@code .conf} or {@code .json}) whose {@code name} is {@code name}, as
   * Go's deprecated {@code LoadConf}; an unparsable file aborts the search.
   *
   * @throws NoConfigsFoundException when there are no such files
   * @throws NotFoundException when none has that name
   */
  public static PluginConf loadConf(Path dir, String name) throws CniException {
    List<Path> files = confFiles(dir, CONF_EXTS);
    if (files.isEmpty()) {
      throw new NoConfigsFoundException(dir);
    }
    for (Path f : files) {
      PluginConf c = pluginConfFromFile(f);
      if (c.name().equals(name)) {
        return c;
      }
    }
    throw new NotFoundException(dir, name);
  }

  /**
   * Reads a {@code .conflist} file as Go's {@code NetworkConfFromFile}: unless {@code loadOnlyInlinedPlugins},
   * the plugins in {@code <dir of file>/<network name>/*.conf} are appended to the inlined ones. The list's bytes
   * are the main file's.
   *
   * @throws CniException {@code error reading F: …} (code 5); {@code F: error parsing configuration list: …};
   *     {@code F: no plugin configs found} when there are no plugins at all
   */
  public static NetworkConfigList confListFromFile(Path file) throws CniException {
    byte[] bytes = ConfFileReader.read(file);
    NetworkConfigList list;
    try {
      list = confListFromBytes(bytes);
    } catch (CniException e) {
      throw e.withPrefix(file + ": ");
    }
    if (!list.loadOnlyInlinedPlugins()) {
      List<PluginConf> merged = new ArrayList<>(list.plugins());
      merged.addAll(folderPlugins(file.toAbsolutePath().getParent(), list.name()));
      list = list.withPlugins(merged);
    }
    if (list.plugins().isEmpty()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, file + ": no plugin configs found");
    }
    return list;
  }

  /** The plugins of {@code <dir>/<network>/*.conf}, as Go's {@code NetworkPluginConfsFromFiles}. */
  private static List<PluginConf> folderPlugins(Path dir, String network) throws CniException {
    // Go joins the name blindly; a name that is not a plain file name (and could never pass ADD's validation)
    // must not make us read some other directory.
    if (dir == null || network.isEmpty() || network.equals(".") || network.equals("..")
        || network.indexOf('/') >= 0 || network.indexOf('\0') >= 0) {
      return List.of();
    }
    Path folder = dir.resolve(network);
    List<Path> files;
    try {
      files = confFiles(folder, List.of(".conf"));
    } catch (CniException e) {
      throw e.withPrefix("failed to read plugin config files in " + folder + ": ");
    }
    List<PluginConf> out = new ArrayList<>();
    for (Path f : files) {
      out.add(pluginConfFromFile(f));
    }
    return out;
  }

  /**
   * Parses configuration-list bytes as Go's {@code NetworkConfFromBytes}.
   *
   * <p>{@code name} must be a string; {@code cniVersions} (1.1), when present, must be an array of parsable
   * version strings, and the chosen version is the highest of it and {@code cniVersion} not above {@value
   * Versions#CURRENT}. {@code disableCheck}, {@code disableGC} and {@code loadOnlyInlinedPlugins} take a bool or
   * the strings true/false in any case. Each plugin element is re-marshalled with sorted keys into its bytes.
   * A list without {@code plugins} is allowed here (the folder may supply them) unless loadOnlyInlinedPlugins.
   *
   * @throws CniException code 7, {@code error parsing configuration list: …} or {@code failed to parse plugin
   *     config N: …}
   */
  public static NetworkConfigList confListFromBytes(byte[] bytes) throws CniException {
    ObjectNode raw = parseObject(bytes, "error parsing configuration list: ", "map[string]interface {}");
    JsonNode rawName = raw.get("name");
    if (rawName == null) {
      throw listError("no name");
    }
    if (!rawName.isTextual()) {
      throw listError("invalid name type " + JsonFields.goType(rawName));
    }
    String name = rawName.textValue();

    String cniVersion = "";
    JsonNode rawVersion = raw.get("cniVersion");
    if (rawVersion != null) {
      if (!rawVersion.isTextual()) {
        throw listError("invalid cniVersion type " + JsonFields.goType(rawVersion));
      }
      cniVersion = rawVersion.textValue();
    }
    if (raw.has("cniVersions")) {
      cniVersion = chooseVersion(raw.get("cniVersions"), cniVersion);
    }

    boolean disableCheck = readBool(raw, "disableCheck");
    boolean disableGC = readBool(raw, "disableGC");
    boolean loadOnlyInlined = readBool(raw, "loadOnlyInlinedPlugins");

    List<PluginConf> plugins = new ArrayList<>();
    JsonNode rawPlugins = raw.get("plugins");
    if (rawPlugins == null) {
      if (loadOnlyInlined) {
        throw listError("`loadOnlyInlinedPlugins` is true, and no 'plugins' key");
      }
    } else {
      if (!rawPlugins.isArray()) {
        throw listError("invalid 'plugins' type " + JsonFields.goType(rawPlugins));
      }
      if (rawPlugins.isEmpty()) {
        throw listError("no plugins in list");
      }
      int i = 0;
      for (JsonNode p : (ArrayNode) rawPlugins) {
        try {
          plugins.add(pluginConfFromBytes(GoJson.compact(GoJson.sorted(p))));
        } catch (CniException e) {
          throw e.withPrefix("failed to parse plugin config " + i + ": ");
        }
        i++;
      }
    }
    return new NetworkConfigList(name, cniVersion, disableCheck, disableGC, loadOnlyInlined, plugins, bytes);
  }

  /** Go's cniVersions rule: drop entries above CURRENT, add cniVersion if set and not above it, take the max. */
  private static String chooseVersion(JsonNode rawVersions, String cniVersion) throws CniException {
    if (rawVersions == null || !rawVersions.isArray()) {
      // Go prints the type of its failed conversion target, which is always []interface {}.
      throw listError("invalid type for cniVersions: []interface {}");
    }
    Version current = Version.parse(Versions.CURRENT);
    String best = null;
    Version bestVersion = null;
    List<String> candidates = new ArrayList<>();
    int i = 0;
    for (JsonNode rv : rawVersions) {
      if (!rv.isTextual()) {
        throw listError("invalid type for cniVersions index " + i + ": " + JsonFields.goType(rv));
      }
      String v = rv.textValue();
      try {
        if (Version.parse(v).compareTo(current) <= 0) {
          candidates.add(v);
        }
      } catch (CniException e) {
        throw listError("invalid cniVersions entry " + v + " at index " + i + ": " + e.getMessage());
      }
      i++;
    }
    if (!cniVersion.isEmpty()) {
      try {
        if (Version.parse(cniVersion).compareTo(current) <= 0) {
          candidates.add(cniVersion);
        }
      } catch (CniException e) {
        throw listError("invalid cniVersion " + cniVersion + ": " + e.getMessage());
      }
    }
    for (String v : candidates) {
      Version parsed = Version.parse(v);
      // Among equal versions written differently ("1.1" and "1.1.0") the later one wins.
      if (bestVersion == null || parsed.compareTo(bestVersion) >= 0) {
        best = v;
        bestVersion = parsed;
      }
    }
    return best == null ? cniVersion : best;
  }

  private static boolean readBool(ObjectNode raw, String key) throws CniException {
    JsonNode v = raw.get(key);
    if (v == null) {
      return false;
    }
    if (v.isBoolean()) {
      return v.booleanValue();
    }
    if (!v.isTextual()) {
      throw listError("invalid type " + JsonFields.goType(v) + " for " + key);
    }
    String s = v.textValue().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true" -> true;
      case "false" -> false;
      default -> throw listError("invalid value " + quote(s) + " for " + key);
    };
  }

  private static CniException listError(String msg) {
    return new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "error parsing configuration list: " + msg);
  }

  /** Reads a configuration-list file; same as {@link #confListFromFile}. */
  public static NetworkConfigList confListFromFile(String file) throws CniException {
    return confListFromFile(Path.of(file));
  }

  /**
   * Parses one plugin's configuration as Go's {@code NetworkPluginConfFromBytes}: the bytes are kept as given,
   * {@code type} is required, and the members Go decodes into {@code types.PluginConf} must have the right JSON
   * types (keys match case-insensitively, as in Go).
   *
   * @throws CniException code 7, {@code error parsing configuration: missing 'type'} or {@code error parsing
   *     configuration: json: cannot unmarshal …}
   */
  public static PluginConf pluginConfFromBytes(byte[] bytes) throws CniException {
    ObjectNode obj = parseObject(bytes, "error parsing configuration: ", "types.PluginConf");
    try {
      JsonFields f = JsonFields.of(obj, "PluginConf");
      String cniVersion = f.string("cniVersion");
      String name = f.string("name");
      String type = f.string("type");
      Map<String, Boolean> caps = capabilities(f.object("capabilities", "map[string]bool"));
      ObjectNode ipam = f.object("ipam", "types.IPAM");
      String ipamType = JsonFields.of(ipam, "IPAM").string("type");
      Dns.fromJson(f.object("dns", "types.DNS"));
      f.object("prevResult", "map[string]interface {}");
      for (JsonNode a : f.objects("cni.dev/valid-attachments")) {
        JsonFields att = JsonFields.of(a, "GCAttachment");
        att.string("containerID");
        att.string("ifname");
      }
      if (type.isEmpty()) {
        throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "error parsing configuration: missing 'type'");
      }
      return new PluginConf(name, cniVersion, type, caps, ipamType, obj, bytes);
    } catch (CniException e) {
      if (e.errorCode() == ErrorCode.INVALID_NETWORK_CONFIG) {
        throw e;
      }
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "error parsing configuration: " + e.msg(),
          e.details(), e);
    }
  }

  private static Map<String, Boolean> capabilities(ObjectNode caps) throws CniException {
    Map<String, Boolean> out = new LinkedHashMap<>();
    if (caps == null) {
      return out;
    }
    for (Map.Entry<String, JsonNode> e : caps.properties()) {
      JsonNode v = e.getValue();
      if (v.isNull()) {
        out.put(e.getKey(), false);
      } else if (!v.isBoolean()) {
        throw JsonFields.decoding("json: cannot unmarshal " + JsonFields.kind(v)
            + " into Go struct field PluginConf.capabilities of type bool");
      } else {
        out.put(e.getKey(), v.booleanValue());
      }
    }
    return out;
  }

  /**
   * Reads a single-plugin configuration file ({@code .conf}/{@code .json}).
   *
   * @throws CniException {@code error reading F: …} (code 5) or {@code F: error parsing configuration: …}
   */
  public static PluginConf pluginConfFromFile(Path file) throws CniException {
    byte[] bytes = ConfFileReader.read(file);
    try {
      return pluginConfFromBytes(bytes);
    } catch (CniException e) {
      throw e.withPrefix(file + ": ");
    }
  }

  /**
   * Returns {@code original} with {@code newValues} set at the top level, as Go's {@code InjectConf}: the result's
   * bytes are compact JSON with sorted keys ({@code {"name":"n","test":"test","type":"foobar"}}). Values may be
   * JSON nodes, strings, numbers, booleans, maps, lists, or jcni value types ({@code Dns}, {@code Result}, IPs…),
   * which are written in their Go shapes.
   *
   * @throws CniException {@code unmarshal existing network bytes: …}, {@code keys cannot be empty}, {@code key 'k'
   *     value must not be nil}, or a parse error of the new configuration
   */
  public static PluginConf injectConf(PluginConf original, Map<String, ?> newValues) throws CniException {
    ObjectNode config = parseObject(original.bytes(), "unmarshal existing network bytes: ",
        "map[string]interface {}");
    for (Map.Entry<String, ?> e : newValues.entrySet()) {
      if (e.getKey() == null || e.getKey().isEmpty()) {
        throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "keys cannot be empty");
      }
      if (e.getValue() == null) {
        throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG,
            "key '" + e.getKey() + "' value must not be nil");
      }
      JsonNode value;
      try {
        value = e.getValue() instanceof JsonNode n ? n : GoJson.mapper().valueToTree(e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG,
            "json: unsupported value for key '" + e.getKey() + "': " + ex.getMessage(), "", ex);
      }
      config.set(e.getKey(), value);
    }
    return pluginConfFromBytes(GoJson.compact(GoJson.sorted(config)));
  }

  /**
   * Wraps a single-plugin configuration as a one-plugin list, as Go's deprecated {@code ConfListFromConf}: {@code
   * {"cniVersion":…,"name":…,"plugins":[<the plugin>]}}, keys sorted.
   */
  public static NetworkConfigList confListFromConf(PluginConf original) throws CniException {
    ObjectNode plugin = parseObject(original.bytes(), "", "map[string]interface {}");
    ObjectNode list = GoJson.mapper().createObjectNode();
    list.put("name", original.name());
    list.put("cniVersion", original.cniVersion());
    list.putArray("plugins").add(plugin);
    return confListFromBytes(GoJson.compact(GoJson.sorted(list)));
  }

  /** Parses {@code bytes} as one JSON object ({@code null} reads as an empty one, as Go's map decoding). */
  private static ObjectNode parseObject(byte[] bytes, String prefix, String goTarget) throws CniException {
    JsonNode n;
    try {
      if (bytes.length == 0) {
        throw new JsonEOFException(null, null, "unexpected end of JSON input");
      }
      n = GoJson.mapper().readTree(bytes);
    } catch (JsonEOFException e) {
      throw configError(prefix + "unexpected end of JSON input", e);
    } catch (JsonProcessingException e) {
      throw configError(prefix + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw configError(prefix + e.getMessage(), e);
    }
    if (n == null || n.isMissingNode()) {
      throw configError(prefix + "unexpected end of JSON input", null);
    }
    if (n.isNull()) {
      return GoJson.mapper().createObjectNode();
    }
    if (!n.isObject()) {
      throw configError(prefix + "json: cannot unmarshal " + JsonFields.kind(n) + " into Go value of type "
          + goTarget, null);
    }
    return (ObjectNode) n;
  }

  private static CniException configError(String msg, Throwable cause) {
    return new CniException(ErrorCode.INVALID_NETWORK_CONFIG, msg, "", cause);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append('"').toString();
  }
}
