package io.jcni.libcni;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.Path;

/**
 * No configuration in a directory has the requested network name (Go's {@code NotFoundError}): {@code no net
 * configuration with name "N" in D}. Code {@link ErrorCode#INVALID_NETWORK_CONFIG}.
 */
public final class NotFoundException extends CniException {
  private static final long serialVersionUID = 1L;
  private final transient Path dir;
  private final String name;

  public NotFoundException(Path dir, String name) {
    super(ErrorCode.INVALID_NETWORK_CONFIG, "no net configuration with name \"" + name + "\" in " + dir);
    this.dir = dir;
    this.name = name;
  }

  /** The directory searched. */
  public Path dir() {
    return dir;
  }

  /** The network name looked for. */
  public String name() {
    return name;
  }
}
