package io.jcni.plugins.internal.attach;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Linux interface names: the kernel's validity rule and the random host veth names ({@code veth} + 8 hex). */
public final class InterfaceNames {
  private static final SecureRandom RANDOM = new SecureRandom();

  private InterfaceNames() {}

  /** A fresh host-side veth name from 4 random bytes, as the Go plugin makes them. */
  public static String randomVeth() {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return "veth" + HexFormat.of().formatHex(b);
  }

  /** Why {@code name} is not a valid interface name (the kernel's {@code dev_valid_name}), or null if it is. */
  public static String check(String name) {
    if (name.isEmpty()) {
      return "empty";
    }
    if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 15) {
      return "longer than 15 characters";
    }
    if (name.equals(".") || name.equals("..")) {
      return "must not be . or ..";
    }
    for (char c : name.toCharArray()) {
      if (c == '/' || c == ':' || Character.isWhitespace(c)) {
        return "contains '" + c + "'";
      }
    }
    return null;
  }

  /** Fails with code 4 unless CNI_IFNAME is a name the kernel accepts (skel checks it for an exec'd plugin). */
  public static void requireValidIfName(String ifName) throws io.jcni.libcni.types.CniException {
    String bad = check(ifName);
    if (bad != null) {
      throw new io.jcni.libcni.types.CniException(io.jcni.libcni.types.ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "invalid CNI_IFNAME " + Failures.q(ifName) + ": " + bad);
    }
  }
}
