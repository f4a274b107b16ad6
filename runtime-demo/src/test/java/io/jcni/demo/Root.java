package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The privileged-test gate (as libcni's {@code Privileged}): skip without root, fail instead under CI=true. */
final class Root {
  private Root() {}

  static void require() {
    if ("root".equals(System.getProperty("user.name"))) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail("privileged test cannot run without root while CI=true");
    }
    Assumptions.abort("needs root");
  }

  static void requireExecutable(String path) {
    if (new java.io.File(path).canExecute()) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(path + " is missing while CI=true (run-tests installs it)");
    }
    Assumptions.abort(path + " is missing");
  }
}
