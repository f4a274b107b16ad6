package io.jcni.libcni.testing;

import java.util.EnumSet;

/**
 * Whether this process is privileged, for tests that behave differently with and without privileges; tests that
 * need privileges are gated by {@link RequiresCapabilities} instead.
 */
public final class Privileged {
  private Privileged() {}

  /** Whether this process holds the capabilities to make namespaces and links (not: whether it is called root). */
  public static boolean isRoot() {
    return Capability.effective().containsAll(EnumSet.of(Capability.NET_ADMIN, Capability.SYS_ADMIN));
  }
}
