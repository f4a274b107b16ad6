package io.jcni.libcni.internal.cache;

import io.jcni.libcni.internal.types.ByteText;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a result-cache file turned out to hold when read.
 *
 * <p>Go reads a file that is not a {@code cniCacheV1} record as a bare result from older libcni versions
 * ({@link Legacy}). A file that cannot be either — empty after a crash, truncated, not JSON — is {@link Corrupt}:
 * a DEL must delete it and carry on without a previous result, never fail because of it.
 */
public sealed interface CacheFile permits CacheFile.Current, CacheFile.Legacy, CacheFile.Corrupt {

  /** The file this was read from. */
  Path path();

  /** A {@code cniCacheV1} record. */
  record Current(Path path, CacheEntry entry) implements CacheFile {}

  /**
   * A JSON object without the {@code cniCacheV1} kind: by Go's rules the whole file is a raw result.
   *
   * @param kind the file's {@code kind} value, "" when it has none (Go's "wrong kind" message shows it)
   * @param content the whole file, to be parsed as a result
   */
  record Legacy(Path path, String kind, byte[] content) implements CacheFile {
    @Override
    public boolean equals(Object o) {
      return o instanceof Legacy l && path.equals(l.path) && kind.equals(l.kind) && Arrays.equals(content, l.content);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, kind, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
      return "Legacy[path=" + path + ", kind=" + kind + ", content=" + ByteText.of(content) + "]";
    }
  }

  /**
   * A file that is neither a record nor a result object.
   *
   * @param reason why, worded like Go's JSON errors (e.g. {@code unexpected end of JSON input})
   */
  record Corrupt(Path path, byte[] content, String reason) implements CacheFile {
    @Override
    public boolean equals(Object o) {
      return o instanceof Corrupt c && path.equals(c.path) && Arrays.equals(content, c.content)
          && reason.equals(c.reason);
    }

    @Override
    public int hashCode() {
      return Objects.hash(path, Arrays.hashCode(content), reason);
    }

    @Override
    public String toString() {
      return "Corrupt[path=" + path + ", content=" + ByteText.of(content) + ", reason=" + reason + "]";
    }
  }
}
