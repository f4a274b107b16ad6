package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * The lookup of a plugin binary by its {@code type} on {@code CNI_PATH}, as Go's {@code invoke.FindInPath}.
 *
 * <p>The first directory holding a regular file of that name wins; the exec bit is not checked (exec fails later
 * with a clear error instead), and a name with a path separator is refused so a configuration cannot point at an
 * arbitrary binary.
 */
public final class FindInPath {
  private FindInPath() {}

  /**
   * Returns the path of plugin {@code plugin} in the first of {@code paths} that holds it as a regular file.
   *
   * @throws CniException code 7 for a missing or invalid name, 4 for an empty path list, 7 when no directory holds
   *     the plugin, with upstream's message texts
   */
  public static Path find(String plugin, List<String> paths) throws CniException {
    if (plugin == null || plugin.isEmpty()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "no plugin name provided");
    }
    if (plugin.indexOf('/') >= 0 || plugin.indexOf(java.io.File.separatorChar) >= 0) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "invalid plugin name: " + plugin);
    }
    if (paths == null || paths.isEmpty()) {
      throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, "no paths provided");
    }
    for (String dir : paths) {
      try {
        Path candidate = Path.of(dir, plugin);
        if (Files.isRegularFile(candidate)) {
          return candidate;
        }
      } catch (InvalidPathException e) {
        // A malformed CNI_PATH entry cannot hold the plugin; Go's os.Stat fails the same way and moves on.
      }
    }
    throw new CniException(
        ErrorCode.INVALID_NETWORK_CONFIG,
        "failed to find plugin " + GoJson.quote(plugin) + " in path [" + String.join(" ", paths) + "]");
  }
}
