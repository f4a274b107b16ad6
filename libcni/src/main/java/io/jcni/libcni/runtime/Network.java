package io.jcni.libcni.runtime;

import io.jcni.libcni.NetworkConfigList;
import java.nio.file.Path;

/**
 * A network loaded from a configuration directory: its parsed configuration list and the file it came from.
 *
 * @param config the configuration list ({@code .conf}/{@code .json} files are wrapped as one-plugin lists)
 * @param file the file it was loaded from
 */
public record Network(NetworkConfigList config, Path file) {
  /** The network name. */
  public String name() {
    return config.name();
  }
}
