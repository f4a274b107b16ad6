/**
 * The {@code jcni} command: a cnitool-compatible CLI, {@code jcni demo}, {@code jcni bench} and {@code jcni serve}.
 * It exports nothing; it is run, not embedded.
 */
module io.jcni.demo {
  requires io.jcni.plugins;
  requires com.google.common;
  requires java.logging;     // the CLI's -v shows System.Logger output through java.util.logging
  requires java.management;  // bench: JIT and CPU time
  requires jdk.net;          // serve: the peer credentials of a shim's connection
  requires jdk.unsupported;  // serve: SIGTERM handling (sun.misc.Signal)

  // bench: Jackson turns its own records into JSON
  opens io.jcni.demo to com.fasterxml.jackson.databind;
}
