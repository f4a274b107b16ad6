package io.jcni.libcni.internal.spi;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The checks an ADD makes on the names of an attachment before any plugin runs (Go's {@code utils.Validate*}),
 * with the upstream codes and texts.
 */
public final class AttachmentNames {
  private static final Pattern ID = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$");
  private static final int MAX_IFNAME_BYTES = 15;

  private AttachmentNames() {}

  /** Checks a container ID: code 3 {@code missing containerID}, code 4 {@code invalid characters in containerID}. */
  public static void checkContainerId(String id) throws CniException {
    if (id == null || id.isEmpty()) {
      throw new CniException(ErrorCode.UNKNOWN_CONTAINER, "missing containerID");
    }
    if (!ID.matcher(id).matches()) {
      throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, "invalid characters in containerID", id);
    }
  }

  /** Checks a network name: code 7 {@code missing network name:} or {@code invalid characters found in network name}. */
  public static void checkNetworkName(String name) throws CniException {
    if (name == null || name.isEmpty()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "missing network name:");
    }
    if (!ID.matcher(name).matches()) {
      throw new CniException(ErrorCode.INVALID_NETWORK_CONFIG, "invalid characters found in network name", name);
    }
  }

  /** Checks an interface name the way the kernel would (code 4), before a plugin gets to fail on it. */
  public static void checkInterfaceName(String ifName) throws CniException {
    ErrorCode code = ErrorCode.INVALID_ENVIRONMENT_VARIABLES;
    if (ifName == null || ifName.isEmpty()) {
      throw new CniException(code, "interface name is empty");
    }
    if (ifName.getBytes(StandardCharsets.UTF_8).length > MAX_IFNAME_BYTES) {
      throw new CniException(
          code, "interface name is too long", "interface name should be less than 16 characters");
    }
    if (ifName.equals(".") || ifName.equals("..")) {
      throw new CniException(code, "interface name is . or ..");
    }
    boolean bad = ifName.codePoints().anyMatch(c -> c == '/' || c == ':' || isGoSpace(c));
    if (bad) {
      throw new CniException(code, "interface name contains / or : or whitespace characters");
    }
  }

  /**
   * Go's {@code unicode.IsSpace}. Java's {@code Character.isWhitespace} differs both ways (it takes U+001C..U+001F,
   * leaves out U+0085 and the no-break spaces U+00A0, U+2007, U+202F), so a name Go refuses would pass here.
   */
  private static boolean isGoSpace(int c) {
    if (c <= 0xFF) {
      return c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r' || c == ' ' || c == 0x85 || c == 0xA0;
    }
    // Above Latin-1, Unicode's White_Space property is exactly the Zs, Zl and Zp categories.
    return Character.isSpaceChar(c);
  }
}
