package io.jcni.libcni;

import io.jcni.libcni.internal.cache.CacheFile;
import io.jcni.libcni.internal.cache.ResultCache;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.libcni.types.Result;
import io.jcni.libcni.types.Results;
import java.util.Optional;

/**
 * Reads an attachment's cached ADD result and converts it to the configuration's version, with Go libcni's rules
 * for current, legacy (bare result) and corrupt cache files.
 */
final class CachedResults {
  private CachedResults() {}

  /**
   * The cached result of {@code (network, containerId, ifName)} in {@code version}, or empty when there is no cache
   * file.
   *
   * @throws CniException when the file exists but holds no usable result, or it cannot be converted
   */
  static Optional<Result> read(ResultCache cache, String network, String containerId, String ifName, String version)
      throws CniException {
    Optional<CacheFile> file = cache.get(network, containerId, ifName);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Result raw;
    CacheFile f = file.get();
    if (f instanceof CacheFile.Current c) {
      if (c.entry().result() == null) {
        return Optional.empty();
      }
      raw = Results.parse(GoJson.compact(c.entry().result()));
    } else if (f instanceof CacheFile.Legacy l) {
      raw = Results.parse(l.content());
    } else {
      CacheFile.Corrupt c = (CacheFile.Corrupt) f;
      throw new CniException(
          ErrorCode.DECODING_FAILURE, "decoding version from network config: " + c.reason(), c.path().toString());
    }
    try {
      return Optional.of(raw.convertTo(version));
    } catch (CniException e) {
      throw new CniException(
          e.code(), "failed to convert cached result to config version \"" + version + "\": " + e.getMessage());
    }
  }
}
