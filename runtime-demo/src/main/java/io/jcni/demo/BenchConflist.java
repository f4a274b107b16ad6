package io.jcni.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.PluginConf;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A conflist of {@code jcni bench --conf}, as the bench runs it: the network name, main plugin (bridge, ptp or
 * jcni-routed, and so its {@link BenchHostEnd}) and first subnet it attaches through, and the list with every
 * host-local {@code dataDir} moved into the bench's state directory, so that the run's addresses live on its tmpfs
 * and go with it.
 *
 * @param file the conflist as given
 * @param json its parsed content
 */
record BenchConflist(Path file, JsonNode json) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads and checks the file: a conflist whose chain has a bridge, ptp or jcni-routed plugin with host-local IPAM. */
  static BenchConflist read(Path file) throws CniException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new CniException(ErrorCode.IO_FAILURE, "bench: cannot read --conf " + file + ": " + e.getMessage());
    }
    BenchConflist c = new BenchConflist(file, root);
    c.list(Path.of("/run")); // CNI's own checks of the file
    if (c.mainPlugin() == null) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "bench: --conf " + file
          + " has no bridge, ptp or jcni-routed plugin with host-local ipam in \"plugins\" (the bench knows their"
          + " host ends and reads the addresses back afterwards)");
    }
    return c;
  }

  /**
   * The network of a run through this conflist: its name, main plugin's host end and first subnet, with
   * {@code base}'s namespace names and state directory, and the list with host-local's store on that state.
   */
  BenchNetwork network(BenchSite base) throws CniException {
    JsonNode main = mainPlugin();
    BenchHostEnd hostEnd = BenchHostEnd.of(main);
    String bridge = hostEnd instanceof BenchHostEnd.BridgePorts b ? b.bridges().get(0) : "";
    BenchSite site = base.withNetwork(json.path("name").asText(), bridge, firstSubnet(main.path("ipam")));
    return new BenchNetwork(site, hostEnd, List.of(list(site.dataDir())), types(), file.toString());
  }

  /** The list the bench attaches through, with host-local's {@code dataDir} set to {@code dataDir}. */
  NetworkConfigList list(Path dataDir) throws CniException {
    try {
      return ConfLoader.confListFromBytes(bytes(dataDir));
    } catch (CniException e) {
      throw new CniException(e.code(), "bench: --conf " + file + ": " + e.getMessage());
    }
  }

  /** Every plugin type the chain runs, IPAM plugins included. */
  Set<String> types() throws CniException {
    Set<String> out = new LinkedHashSet<>();
    for (PluginConf p : list(Path.of("/run")).plugins()) {
      out.add(p.type());
      String ipam = p.config().path("ipam").path("type").asText("");
      if (!ipam.isEmpty()) {
        out.add(ipam);
      }
    }
    return out;
  }

  private byte[] bytes(Path dataDir) {
    JsonNode copy = json.deepCopy();
    for (JsonNode p : copy.path("plugins")) {
      if (p.path("ipam") instanceof ObjectNode ipam && "host-local".equals(ipam.path("type").asText())) {
        ipam.put("dataDir", dataDir.toString());
      }
    }
    try {
      return JSON.writeValueAsBytes(copy);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first plugin of the chain whose host end the bench knows, with host-local IPAM. */
  private JsonNode mainPlugin() {
    for (JsonNode p : json.path("plugins")) {
      if (BenchHostEnd.TYPES.contains(p.path("type").asText())
          && "host-local".equals(p.path("ipam").path("type").asText())) {
        return p;
      }
    }
    return null;
  }

  /** The first {@code ranges} subnet of a host-local configuration, or its legacy {@code subnet}. */
  private static String firstSubnet(JsonNode ipam) {
    for (JsonNode set : ipam.path("ranges")) {
      for (JsonNode r : set) {
        if (r.hasNonNull("subnet")) {
          return r.path("subnet").asText();
        }
      }
    }
    return ipam.path("subnet").asText("");
  }
}
