package io.jcni.plugins.internal.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniArgs;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The tuning plugin's network configuration, read as the Go plugin reads it: the top-level settings, then the MAC
 * from {@code CNI_ARGS} and {@code runtimeConfig.mac}, then every setting again from {@code args.cni} (later ones
 * win; {@code args.cni.sysctl} entries are added to {@code sysctl}).
 *
 * @param cniVersion the configuration's {@code cniVersion}
 * @param dataDir where the backups of changed link attributes live, default {@value #DEFAULT_DATA_DIR}
 * @param sysctl the {@code net.*} sysctls to write in the container, in document order
 * @param mac the MAC to give the interface, "" for none
 * @param promisc switch promiscuous mode on
 * @param mtu the MTU to set, 0 for none
 * @param txQLen the transmit queue length to set, or null
 * @param allmulti the all-multicast mode to set, or null
 * @param prevResult the raw {@code prevResult}, or null
 */
record TuningConf(
    String cniVersion,
    Path dataDir,
    Map<String, String> sysctl,
    String mac,
    boolean promisc,
    long mtu,
    Integer txQLen,
    Boolean allmulti,
    JsonNode prevResult) {

  /** The data directory upstream uses when the configuration names none. */
  static final String DEFAULT_DATA_DIR = "/run/cni/tuning";

  // Go's types of the anonymous structs, as its decoding errors print them.
  private static final String ARGS_TYPE = "struct { A *main.IPAMArgs \"json:\\\"cni\\\"\" }";
  private static final String RUNTIME_CONFIG_TYPE = "struct { Mac string \"json:\\\"mac,omitempty\\\"\" }";

  TuningConf {
    sysctl = Collections.unmodifiableMap(new LinkedHashMap<>(sysctl));
  }

  /** Whether a link attribute (not only sysctls) is to be changed, so a backup is taken first. */
  boolean changesLink() {
    return !mac.isEmpty() || mtu != 0 || promisc || allmulti != null || txQLen != null;
  }

  /** Parses the stdin bytes of a tuning invocation and the {@code CNI_ARGS} string, as Go's {@code parseConf}. */
  static TuningConf parse(byte[] stdin, String cniArgs) throws CniException {
    JsonFields n;
    try {
      n = JsonFields.parse(stdin, "main.TuningConf", "TuningConf");
      return read(n, cniArgs);
    } catch (CniException e) {
      throw e.errorCode() == ErrorCode.DECODING_FAILURE ? e.withPrefix("failed to load netconf: ") : e;
    }
  }

  private static TuningConf read(JsonFields n, String cniArgs) throws CniException {
    String cniVersion = n.string("cniVersion");
    n.string("name");
    n.string("type");
    n.fields("ipam", "types.IPAM", "IPAM").string("type");
    JsonNode prevResult = n.object("prevResult", "map[string]interface {}");

    String dataDir = n.string("dataDir");
    Map<String, String> sysctl = new LinkedHashMap<>();
    putSysctls(n, sysctl);
    String mac = n.string("mac");
    boolean promisc = n.bool("promisc");
    long mtu = n.longInteger("mtu", 0);
    Integer txQLen = n.has("txQLen") ? (int) n.longInteger("txQLen", 0) : null;
    Boolean allmulti = n.has("allmulti") ? n.bool("allmulti") : null;
    String rtMac = n.fields("runtimeConfig", RUNTIME_CONFIG_TYPE, "").string("mac");
    JsonFields a = n.fields("args", ARGS_TYPE, "").fields("cni", "main.IPAMArgs", "IPAMArgs");

    String envMac = CniArgs.parse(cniArgs, Set.of("MAC")).getOrDefault("MAC", "");
    if (!envMac.isEmpty()) {
      mac = envMac;
    }
    if (!rtMac.isEmpty()) {
      mac = rtMac;
    }
    putSysctls(a, sysctl);
    if (a.has("mac")) {
      mac = a.string("mac");
    }
    if (a.has("promisc")) {
      promisc = a.bool("promisc");
    }
    if (a.has("mtu")) {
      mtu = a.longInteger("mtu", 0);
    }
    if (a.has("allmulti")) {
      allmulti = a.bool("allmulti");
    }
    if (a.has("txQLen")) {
      txQLen = (int) a.longInteger("txQLen", 0);
    }
    return new TuningConf(cniVersion, Path.of(dataDir.isEmpty() ? DEFAULT_DATA_DIR : dataDir), sysctl, mac,
        promisc, mtu, txQLen, allmulti, prevResult);
  }

  /** Adds the {@code sysctl} map of {@code n} to {@code out}; a JSON null value is Go's zero value "". */
  private static void putSysctls(JsonFields n, Map<String, String> out) throws CniException {
    ObjectNode m = n.object("sysctl", "map[string]string");
    if (m == null) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : m.properties()) {
      JsonNode v = e.getValue();
      if (!v.isNull() && !v.isTextual()) {
        throw n.typeError(v, "sysctl", "string");
      }
      out.remove(e.getKey());
      out.put(e.getKey(), v.isNull() ? "" : v.textValue());
    }
  }
}
