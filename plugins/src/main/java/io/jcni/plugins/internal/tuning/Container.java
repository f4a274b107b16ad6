package io.jcni.plugins.internal.tuning;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.NetNsPathError;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The container's network namespace as the tuning plugin works in it: an rtnetlink socket and the {@code net.*}
 * sysctl tree, both opened by one entry into CNI_NETNS, then used from the calling thread.
 */
final class Container implements AutoCloseable {
  final RtNetlink links;
  final Sysctl sysctl;

  private Container(RtNetlink links, Sysctl sysctl) {
    this.links = links;
    this.sysctl = sysctl;
  }

  /** Opens CNI_NETNS; a path that is no namespace fails with Go's {@code ns.GetNS} text. */
  static Container open(String netns) throws CniException {
    try (NetNs ns = openNs(netns)) {
      return ns.runIn(() -> {
        RtNetlink links = RtNetlink.openCurrent();
        try {
          return new Container(links, Sysctl.openHere(ns));
        } catch (IOException | RuntimeException e) {
          links.close();
          throw e;
        }
      });
    } catch (IOException e) {
      throw internal("failed to open netlink socket in " + netns + ": " + reason(e), e);
    }
  }

  private static NetNs openNs(String netns) throws CniException {
    try {
      return NetNs.open(Path.of(netns));
    } catch (IOException | java.nio.file.InvalidPathException e) {
      String msg = e instanceof IOException io ? NetNsPathError.message(netns, io) : e.getMessage();
      throw new CniException(ErrorCode.INTERNAL, msg, "", e);
    }
  }

  /** What Go prints for an error with {@code %v}: for an errno failure the errno text without the operation. */
  static String reason(Throwable e) {
    return e instanceof ErrnoException x ? x.reason() : String.valueOf(e.getMessage());
  }

  /** A plain Go error: code 999. */
  static CniException internal(String msg, Throwable cause) {
    return new CniException(ErrorCode.INTERNAL, msg, "", cause);
  }

  static CniException internal(String msg) {
    return new CniException(ErrorCode.INTERNAL, msg);
  }

  @Override
  public void close() {
    sysctl.close();
    links.close();
  }
}
