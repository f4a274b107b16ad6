package io.jcni.plugins.internal.linux;

import java.io.IOException;

/**
 * Why a CNI_NETNS path could not be opened, worded as Go's {@code ns.GetNS} words it ({@code failed to Statfs
 * "/var/run/netns/x": no such file or directory}), which plugins without their own wording return as is.
 */
public final class NetNsPathError {
  private NetNsPathError() {}

  /** Go's text for the failure {@code e} of {@link NetNs#open} on {@code path}. */
  public static String message(String path, IOException e) {
    if (e instanceof ErrnoException x && x.errno() != Kernel.EINVAL) {
      return "failed to Statfs " + quote(path) + ": " + x.reason();
    }
    if (e instanceof ErrnoException x) {
      return "unknown FS magic on " + quote(path) + ": " + x.reason();
    }
    return String.valueOf(e.getMessage());
  }

  /** Whether {@code e} means the path does not exist (Go's {@code ns.NSPathNotExistErr}). */
  public static boolean notExist(IOException e) {
    return e instanceof ErrnoException x && x.kind() == ErrnoException.Kind.NOT_FOUND;
  }

  private static String quote(String s) {
    return io.jcni.libcni.internal.json.GoJson.quote(s);
  }
}
