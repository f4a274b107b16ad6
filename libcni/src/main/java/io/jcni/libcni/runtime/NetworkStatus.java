package io.jcni.libcni.runtime;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/**
 * The answer of a network's plugins to STATUS: ready for ADDs, or not, with the plugin's error (code 50 "plugin
 * not available", 51 "limited connectivity", or any other failure). Purely informational, as in the spec.
 *
 * @param network the network name
 * @param error null when ready
 */
public record NetworkStatus(String network, CniException error) {

  /** Whether the network's plugins are ready for ADDs. */
  public boolean ready() {
    return error == null;
  }

  /** The error code, or 0 when ready. */
  public int code() {
    return error == null ? ErrorCode.UNKNOWN.number() : error.code();
  }
}
