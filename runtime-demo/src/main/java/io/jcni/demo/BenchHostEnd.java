package io.jcni.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.plugins.internal.routed.HostEnd;
import java.util.List;
import java.util.Set;

/**
 * What a bench network's main plugin puts on the host side of each pod, as far as the bench must know it: which
 * host links it may claim up front (they must not exist before the run), which it removes itself after the DELs,
 * and which must be gone afterwards. The pods' namespaces take their veth pairs with them, so a host end that is
 * a veth needs nothing from the teardown.
 */
sealed interface BenchHostEnd {
  /** The main plugin types the bench knows the host end of. */
  Set<String> TYPES = Set.of("bridge", "ptp", "jcni-routed");

  /** The host end of {@code plugin}, a conflist entry of one of {@link #TYPES}. */
  static BenchHostEnd of(JsonNode plugin) {
    return switch (plugin.path("type").asText()) {
      case "bridge" -> {
        String bridge = plugin.path("bridge").asText("");
        yield new BridgePorts(List.of(bridge.isEmpty() ? "cni0" : bridge)); // the bridge plugin's default
      }
      case "ptp" -> new PtpVeth();
      case "jcni-routed" -> new RoutedVeth(vethPrefix(plugin));
      default -> throw new IllegalArgumentException("no bench host end for type " + plugin.path("type").asText());
    };
  }

  /**
   * The host links that the pods {@code containerIds} (each attached as {@code eth0}) make or share and that must
   * exist neither before the run nor after its teardown.
   */
  List<String> links(List<String> containerIds);

  /** The links the teardown deletes itself, after the DELs: shared ones that no DEL removes. */
  List<String> shared();

  /** How the table and JSON name it, e.g. {@code bridge jcnib0} or {@code jcni-routed cali…}. */
  String describe();

  /**
   * Pods as ports of bridges the run makes (the bridge plugin): several bridges when the bench's own network has
   * more pods than one bridge takes ({@link BenchSite#bridges}).
   */
  record BridgePorts(List<String> bridges) implements BenchHostEnd {
    public BridgePorts {
      bridges = List.copyOf(bridges);
    }

    @Override
    public List<String> links(List<String> containerIds) {
      return bridges;
    }

    @Override
    public List<String> shared() {
      return bridges;
    }

    @Override
    public String describe() {
      return "bridge " + String.join(",", bridges);
    }
  }

  /**
   * ptp's host veth: a random {@code veth…} name per attachment (as Go's), so nothing can be claimed by name; what
   * it leaves shows as a host route to a pod address, which the teardown checks for every network.
   */
  record PtpVeth() implements BenchHostEnd {
    @Override
    public List<String> links(List<String> containerIds) {
      return List.of();
    }

    @Override
    public List<String> shared() {
      return List.of();
    }

    @Override
    public String describe() {
      return "ptp veth…";
    }
  }

  /** jcni-routed's host veth, named by the plugin's own {@link HostEnd#name} from the container ID. */
  record RoutedVeth(String prefix) implements BenchHostEnd {
    @Override
    public List<String> links(List<String> containerIds) {
      return containerIds.stream().map(id -> HostEnd.name(prefix, id, "eth0")).toList();
    }

    @Override
    public List<String> shared() {
      return List.of();
    }

    @Override
    public String describe() {
      return "jcni-routed " + prefix + "…";
    }
  }

  /** jcni-routed's {@code vethPrefix}, matched as the plugin matches its keys (Go's struct fields), or its default. */
  private static String vethPrefix(JsonNode plugin) {
    JsonNode v = plugin instanceof ObjectNode o ? JsonFields.lookup(o, "vethPrefix") : null;
    return v != null && v.isTextual() ? v.asText() : HostEnd.DEFAULT_PREFIX;
  }
}
