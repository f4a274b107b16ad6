package io.jcni.libcni.types;

/**
 * The error codes the CNI specification defines (0–99 are reserved to it; 100 and up are a plugin's own).
 *
 * <p>{@link CniException#code()} keeps the number a plugin printed, whatever it is; {@link
 * CniException#errorCode()} names it, or says {@link #UNRECOGNIZED} for a number not listed here.
 */
public enum ErrorCode {
  /** 0: a generic error with no code of its own (also what libcni's joined errors carry). */
  UNKNOWN(0),
  /** 1: the plugin or configuration does not support the requested CNI version. */
  INCOMPATIBLE_CNI_VERSION(1),
  /** 2: a field of the configuration is not supported. */
  UNSUPPORTED_FIELD(2),
  /** 3: the container is unknown or does not exist. */
  UNKNOWN_CONTAINER(3),
  /** 4: a {@code CNI_*} variable (container ID, interface name, args) is invalid. */
  INVALID_ENVIRONMENT_VARIABLES(4),
  /** 5: an I/O failure, e.g. a file that cannot be read. */
  IO_FAILURE(5),
  /** 6: JSON that cannot be decoded. */
  DECODING_FAILURE(6),
  /** 7: an invalid network configuration. */
  INVALID_NETWORK_CONFIG(7),
  /** 8: an invalid network namespace path. */
  INVALID_NETNS_PATH(8),
  /** 11: a transient failure (also timeouts and cancellations); the operation may be retried later. */
  TRY_AGAIN_LATER(11),
  /** 50: STATUS: the plugin is not available, ADDs will fail. */
  PLUGIN_NOT_AVAILABLE(50),
  /** 51: STATUS: the plugin is not available, existing attachments may have limited connectivity. */
  PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY(51),
  /** 999: an internal error of jcni or of an in-process plugin, as Go's skel reports errors without a code. */
  INTERNAL(999),
  /** A number not listed here: a plugin's own code (100 and up) or a reserved one; see {@link #number()}. */
  UNRECOGNIZED(-1);

  private final int number;

  ErrorCode(int number) {
    this.number = number;
  }

  /** The number on the wire ({@code "code"} in a plugin's error JSON); -1 for {@link #UNRECOGNIZED}. */
  public int number() {
    return number;
  }

  /** The constant for {@code number}, or {@link #UNRECOGNIZED}. */
  public static ErrorCode of(int number) {
    for (ErrorCode c : values()) {
      if (c.number == number && c != UNRECOGNIZED) {
        return c;
      }
    }
    return UNRECOGNIZED;
  }
}
