package io.jcni.demo;

import com.fasterxml.jackson.core.type.TypeReference;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The CLI's environment, read the way cnitool reads it: {@code NETCONFPATH}, {@code CNI_PATH}, {@code CNI_IFNAME},
 * {@code CNI_ARGS}, {@code CAP_ARGS}, plus jcni's {@code CNI_CONTAINERID} and {@code CNI_CACHE_DIR}.
 */
record CliEnv(Map<String, String> env) {
  static final String DEFAULT_NETCONFPATH = "/etc/cni/net.d";
  static final List<String> DEFAULT_CNI_PATH = List.of("/opt/cni/bin", "/usr/lib/cni");

  static CliEnv system() {
    return new CliEnv(System.getenv());
  }

  Path confDir() {
    return Path.of(get("NETCONFPATH", DEFAULT_NETCONFPATH));
  }

  List<String> cniPath() {
    String p = env.get("CNI_PATH");
    if (p == null || p.isEmpty()) {
      return DEFAULT_CNI_PATH;
    }
    List<String> out = new ArrayList<>();
    for (String d : p.split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        out.add(d);
      }
    }
    return out;
  }

  String ifName() {
    return get("CNI_IFNAME", "eth0");
  }

  Path cacheDir() {
    return Path.of(get("CNI_CACHE_DIR", "/var/lib/cni"));
  }

  /** {@code CNI_CONTAINERID}, else cnitool's derivation from the namespace path. */
  String containerId(String netns) {
    String id = env.get("CNI_CONTAINERID");
    return id != null && !id.isEmpty() ? id : cnitoolContainerId(netns);
  }

  /** cnitool's container ID: {@code cnitool-} and the first 10 bytes of sha512(absolute netns path) in hex. */
  static String cnitoolContainerId(String netns) {
    try {
      String abs = netns.isEmpty() ? "" : Path.of(netns).toAbsolutePath().normalize().toString();
      byte[] sum = MessageDigest.getInstance("SHA-512").digest(abs.getBytes(StandardCharsets.UTF_8));
      return "cnitool-" + HexFormat.of().formatHex(sum, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code CNI_ARGS} as pairs; like cnitool, each pair needs a non-empty key and value. */
  List<Map.Entry<String, String>> cniArgs() throws CniException {
    String raw = env.getOrDefault("CNI_ARGS", "");
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split(";")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new CniException(
            ErrorCode.INVALID_ENVIRONMENT_VARIABLES, "CNI_ARGS: invalid pair \"" + pair + "\" (want KEY=VALUE)");
      }
      out.add(Map.entry(pair.substring(0, eq), pair.substring(eq + 1)));
    }
    return out;
  }

  /** {@code CAP_ARGS} parsed as a JSON object, or null when unset. */
  Map<String, Object> capabilityArgs() throws CniException {
    String raw = env.get("CAP_ARGS");
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return GoJson.mapper().readValue(raw, new TypeReference<Map<String, Object>>() {});
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "CAP_ARGS is not a JSON object: " + e.getOriginalMessage());
    }
  }

  private String get(String key, String dflt) {
    String v = env.get(key);
    return v == null || v.isEmpty() ? dflt : v;
  }
}
