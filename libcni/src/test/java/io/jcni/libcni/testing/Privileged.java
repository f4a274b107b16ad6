package io.jcni.libcni.testing;

import java.util.EnumSet;

/**
 * The imperative form of {@link RequiresCapabilities} / {@link RequiresExecutable}, for helpers that find out late
 * that they need privileges. Prefer the annotations: they also tag the test {@code privileged}.
 */
public final class Privileged {
  private Privileged() {}

  /** Whether this process holds the capabilities to make namespaces and links (not: whether it is called root). */
  public static boolean isRoot() {
    return Capability.effective().containsAll(EnumSet.of(Capability.NET_ADMIN, Capability.SYS_ADMIN));
  }

  /** Skips the calling test unless it holds NET_ADMIN and SYS_ADMIN; fails it instead when {@code CI=true}. */
  public static void require() {
    Requirements.require(EnumSet.of(Capability.NET_ADMIN, Capability.SYS_ADMIN));
  }

  /** Skips (or under CI fails) unless {@code path} is an executable, e.g. a Go plugin in /usr/lib/cni. */
  public static void requireExecutable(String path) {
    Requirements.requireExecutable(path);
  }
}
