package io.jcni.plugins.internal.attach;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/** Builds the plugin's errors: Go's message texts, with the CNI code a runtime can act on. */
public final class Failures {
  private Failures() {}

  /** A kernel or system failure: a plain error in Go, so code 999, with the cause attached. */
  public static CniException internal(String msg, Throwable cause) {
    return new CniException(ErrorCode.INTERNAL, msg, "", cause);
  }

  public static CniException internal(String msg) {
    return new CniException(ErrorCode.INTERNAL, msg);
  }

  /** Go's {@code %q} of a name. */
  public static String q(String s) {
    return GoJson.quote(s);
  }

  /** What Go prints for an error with {@code %v}: for an errno failure the errno text without the operation. */
  public static String v(Throwable e) {
    if (e instanceof io.jcni.plugins.internal.linux.ErrnoException x) {
      return x.reason();
    }
    return String.valueOf(e.getMessage());
  }
}
