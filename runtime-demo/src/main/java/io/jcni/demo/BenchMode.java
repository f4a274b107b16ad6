package io.jcni.demo;

import java.util.Locale;

/** How a bench run reaches the plugins: in the JVM, or by exec'ing the Go binaries found on {@code CNI_PATH}. */
enum BenchMode {
  INLINE,
  EXEC;

  /** The name used on the command line and as the JSON key. */
  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
