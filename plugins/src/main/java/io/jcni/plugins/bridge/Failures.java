package io.jcni.plugins.bridge;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/** Builds the plugin's errors: Go's message texts, with the CNI code a runtime can act on. */
final class Failures {
  private Failures() {}

  /** A kernel or system failure: a plain error in Go, so code 999, with the cause attached. */
  static CniException internal(String msg, Throwable cause) {
    return new CniException(ErrorCode.INTERNAL, msg, "", cause);
  }

  static CniException internal(String msg) {
    return new CniException(ErrorCode.INTERNAL, msg);
  }

  /** Go's {@code %q}: double-quoted, with Go escapes for quotes, backslashes and control characters. */
  static String q(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /** What Go prints for an error with {@code %v}: for an errno failure the errno text without the operation. */
  static String v(Throwable e) {
    if (e instanceof io.jcni.plugins.linux.ErrnoException x) {
      return x.reason();
    }
    return String.valueOf(e.getMessage());
  }
}
