package io.jcni.plugins.internal.tuning;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The administrator's list of sysctls the tuning plugin may write ({@value #DEFAULT_FILE}): one regular expression
 * a line, matched anywhere in the key as configured. Without the file every {@code net.*} sysctl is allowed.
 */
final class SysctlAllowlist {
  /** Where upstream reads the allowlist. */
  static final String DEFAULT_FILE = "/etc/cni/tuning/allowlist.conf";

  private SysctlAllowlist() {}

  /** Checks every key of {@code sysctls} against the allowlist in {@code file}, if that file exists. */
  static void check(Path file, Collection<String> sysctls) throws CniException {
    List<String> allowed;
    try {
      allowed = read(file);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new CniException(ErrorCode.INTERNAL, "open " + file + ": " + e.getMessage(), "", e);
    }
    for (String key : sysctls) {
      if (!matchesAny(key, allowed)) {
        throw new CniException(ErrorCode.INTERNAL, "Sysctl " + key
            + " is not allowed. Only the following sysctls are allowed: [" + String.join(" ", allowed) + "]");
      }
    }
  }

  private static List<String> read(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1)) {
      if (!line.strip().isEmpty()) {
        out.add(line.strip());
      }
    }
    return out;
  }

  private static boolean matchesAny(String key, List<String> allowed) throws CniException {
    for (String re : allowed) {
      try {
        if (Pattern.compile(re).matcher(key).find()) {
          return true;
        }
      } catch (PatternSyntaxException e) {
        throw new CniException(ErrorCode.INTERNAL, "error parsing regexp in " + DEFAULT_FILE + ": " + re);
      }
    }
    return false;
  }
}
