package io.jcni.demo;

import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One network a bench run measures: where it works ({@link BenchSite}: name, subnet, namespace names), what its
 * main plugin puts on the host ({@link BenchHostEnd}), the conflists its pods attach through (pod {@code i} through
 * {@code lists[i % size]}) and every plugin type they run.
 *
 * @param conf the conflist file ({@code --conf}), or "" for the bench's own bridge network
 */
record BenchNetwork(BenchSite site, BenchHostEnd hostEnd, List<NetworkConfigList> lists, Set<String> types,
    String conf) {
  private static final Set<String> OWN_TYPES = Set.of("bridge", "host-local");

  BenchNetwork {
    lists = List.copyOf(lists);
    types = Set.copyOf(types);
  }

  /** The bench's own bridge + host-local network on {@code site}, sized for {@code pods} pods. */
  static BenchNetwork own(BenchSite site, boolean ipMasq, int pods) throws CniException {
    return new BenchNetwork(site, new BenchHostEnd.BridgePorts(site.bridges(pods)), site.conflists(ipMasq, pods),
        OWN_TYPES, "");
  }

  /** The network's name. */
  String name() {
    return site.network();
  }

  /** The container IDs (= namespace names) of a run: {@code <prefix>w<i>} warming up, {@code <prefix><i>} measured. */
  List<String> containerIds(int pods, int warmup) {
    List<String> out = new ArrayList<>(pods + warmup);
    for (int i = 0; i < warmup; i++) {
      out.add(site.netnsPrefix() + "w" + i);
    }
    for (int i = 0; i < pods; i++) {
      out.add(site.netnsPrefix() + i);
    }
    return out;
  }
}
