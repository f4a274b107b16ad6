package io.jcni.libcni;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.Path;

/**
 * A configuration directory holds no configuration files at all, or does not exist (Go's {@code
 * NoConfigsFoundError}): {@code no net configurations found in D}. Code {@link ErrorCode#INVALID_NETWORK_CONFIG}.
 */
public final class NoConfigsFoundException extends CniException {
  private static final long serialVersionUID = 1L;
  private final transient Path dir;

  public NoConfigsFoundException(Path dir) {
    super(ErrorCode.INVALID_NETWORK_CONFIG, "no net configurations found in " + dir);
    this.dir = dir;
  }

  /** The directory searched. */
  public Path dir() {
    return dir;
  }
}
