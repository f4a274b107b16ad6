package io.jcni.plugins.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Gate for tests that need root (network namespaces, netlink writes, iptables).
 *
 * <p>Without root they are skipped, except under {@code CI=true}, where a skipped privileged test is a failure.
 */
public final class Privileged {
  private Privileged() {}

  /** Whether this JVM runs as root. */
  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Skips the calling test unless root; fails it instead when {@code CI=true}. */
  public static void require() {
    if (isRoot()) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("privileged test cannot run without root while CI=true");
    }
    Assumptions.abort("needs root");
  }

  /** Skips (or under CI fails) unless {@code path} is an executable, e.g. a Go plugin in /usr/lib/cni. */
  public static void requireExecutable(String path) {
    if (new java.io.File(path).canExecute()) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(path + " is missing while CI=true (run-tests installs it)");
    }
    Assumptions.abort(path + " is missing");
  }
}
