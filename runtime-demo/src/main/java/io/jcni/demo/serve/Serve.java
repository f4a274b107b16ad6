package io.jcni.demo.serve;

import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import sun.misc.Signal;

/** The {@code jcni serve [--socket PATH] [--timeout SECONDS]} command: runs the daemon until SIGTERM or SIGINT. */
public final class Serve {
  /** Where the daemon listens and the shims connect unless told otherwise ({@code JCNI_SOCKET}). */
  public static final Path DEFAULT_SOCKET = Path.of("/run/jcni/jcni.sock");
  /** The deadline of one request unless {@code --timeout} says otherwise; the shim waits a little longer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

  private Serve() {}

  /**
   * Parses {@code args}, serves until a SIGTERM or SIGINT has let the requests in flight finish, and returns 0.
   *
   * @throws IllegalArgumentException an option that cannot be understood
   */
  public static int command(List<String> args, PrintStream log) throws IOException, CniException,
      InterruptedException {
    Path socket = DEFAULT_SOCKET;
    Duration timeout = DEFAULT_TIMEOUT;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (i + 1 >= args.size() || !(a.equals("--socket") || a.equals("--timeout"))) {
        throw new IllegalArgumentException("serve takes [--socket PATH] [--timeout SECONDS], not " + a);
      }
      String v = args.get(++i);
      if (a.equals("--socket")) {
        socket = Path.of(v);
      } else {
        timeout = Duration.ofMillis((long) (seconds(v) * 1000));
      }
    }
    ShimRequestRunner runner = new ShimRequestRunner(PluginRegistry.discover(), timeout);
    ServeDaemon daemon = new ServeDaemon(socket, runner, timeout.plusSeconds(10), log);
    daemon.bind();
    // Handled here rather than in a shutdown hook so that the JVM exits 0 once the requests in flight are done.
    Signal.handle(new Signal("TERM"), s -> daemon.stop());
    Signal.handle(new Signal("INT"), s -> daemon.stop());
    daemon.serve();
    return 0;
  }

  private static double seconds(String v) {
    try {
      double d = Double.parseDouble(v);
      if (d > 0) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("--timeout wants a positive number of seconds, not " + v);
  }
}
