package io.jcni.libcni;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.cache.CacheEntry;
import io.jcni.libcni.internal.cache.CacheFile;
import io.jcni.libcni.internal.cache.ResultCache;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns cache records back into the runtime's terms: cached configs and attachments. */
final class CachedConfigs {
  private CachedConfigs() {}

  static Optional<CachedConfig> read(ResultCache cache, String network, RuntimeConf rt) throws CniException {
    Optional<CacheFile> file = cache.get(network, rt.containerId(), rt.ifName());
    if (file.isEmpty()) {
      return Optional.empty();
    }
    if (file.get() instanceof CacheFile.Corrupt c) {
      throw new CniException(
          ErrorCode.DECODING_FAILURE, "failed to unmarshal cached network \"" + network + "\" config: " + c.reason());
    }
    if (file.get() instanceof CacheFile.Legacy l) {
      throw new CniException(
          ErrorCode.DECODING_FAILURE,
          "read cached network \"" + network + "\" config has wrong kind: " + l.kind());
    }
    CacheEntry e = ((CacheFile.Current) file.get()).entry();
    List<Map.Entry<String, String>> args = e.cniArgs() == null ? rt.args() : args(e);
    RuntimeConf cached = new RuntimeConf(
        rt.containerId(), rt.netNs(), rt.ifName(), args, capabilityArgs(e.capabilityArgs()), rt.cacheDir());
    return Optional.of(new CachedConfig(e.config(), cached));
  }

  static NetworkAttachment attachment(CacheEntry e) {
    return new NetworkAttachment(
        e.containerId(), e.networkName(), e.ifName(), e.config(), e.netns(),
        e.cniArgs() == null ? List.of() : args(e), capabilityArgs(e.capabilityArgs()));
  }

  private static List<Map.Entry<String, String>> args(CacheEntry e) {
    return e.cniArgs().stream().map(a -> Map.entry(a.key(), a.value())).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> capabilityArgs(ObjectNode node) {
    if (node == null) {
      return Map.of();
    }
    return GoJson.mapper().convertValue(node, LinkedHashMap.class);
  }
}
