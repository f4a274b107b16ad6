package io.jcni.demo.serve;

import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code jcni serve}: the daemon behind the shims. It listens on a Unix socket (mode 0600, root only), runs each
 * request on its own thread through a {@link ShimRequestRunner}, and on {@link #stop()} stops accepting, lets the
 * requests it is running finish, removes its socket and returns. It keeps no state of its own: a restarted daemon
 * works from what the plugins keep on disk.
 */
public final class ServeDaemon {
  private final Path socket;
  private final ShimRequestRunner runner;
  private final Duration drain;
  private final PrintStream log;
  private final PeerCheck peers;
  private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "jcni-serve");
    t.setDaemon(false);
    return t;
  });
  /** Connections whose request has not been read completely: a stop closes them, they are not in flight. */
  private final Set<SocketChannel> reading = ConcurrentHashMap.newKeySet();
  private volatile ServerSocketChannel server;
  private volatile boolean stopping;

  /**
   * A daemon listening on {@code socket}; {@code drain} bounds how long a stop waits for requests in flight (give
   * it at least the runner's timeout).
   */
  public ServeDaemon(Path socket, ShimRequestRunner runner, Duration drain, PrintStream log) throws IOException {
    this.socket = socket;
    this.runner = runner;
    this.drain = drain;
    this.log = log;
    this.peers = new PeerCheck();
  }

  /** Binds the socket, or fails naming it (another daemon serving there, a file that is not a socket). */
  public void bind() throws IOException, CniException {
    Path dir = socket.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    removeStale();
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    s.bind(UnixDomainSocketAddress.of(socket), 128);
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    server = s;
  }

  /** A socket file left by a daemon that was killed is removed; a live daemon's is not. */
  private void removeStale() throws IOException, CniException {
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
      throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "socket path " + socket + " exists and is not a socket");
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "another jcni daemon is serving at " + socket);
    } catch (IOException refused) {
      Files.deleteIfExists(socket);
    }
  }

  /** Accepts and serves connections until {@link #stop()}, then waits for the requests in flight. */
  public void serve() throws IOException, InterruptedException {
    log.println("jcni serve: listening on " + socket);
    try {
      while (!stopping) {
        SocketChannel ch;
        try {
          ch = server.accept();
        } catch (AsynchronousCloseException e) {
          break;
        }
        reading.add(ch);
        if (stopping) {
          reading.remove(ch);
          ch.close();
          break;
        }
        workers.execute(() -> handle(ch));
      }
    } finally {
      stopAccepting();
      workers.shutdown();
      if (!workers.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS)) {
        log.println("jcni serve: requests still running after " + drain.toSeconds() + "s; leaving them");
      }
      Files.deleteIfExists(socket);
      log.println("jcni serve: stopped");
    }
  }

  /** Stops accepting; requests in flight finish, connections still sending theirs are closed. */
  public void stop() {
    stopping = true;
    stopAccepting();
    for (SocketChannel ch : reading) {
      closeQuietly(ch);
    }
  }

  private void stopAccepting() {
    ServerSocketChannel s = server;
    if (s != null) {
      closeQuietly(s);
    }
  }

  private void handle(SocketChannel ch) {
    try (ch) {
      ShimAnswer answer;
      try {
        ShimRequest request = ShimWire.readRequest(Channels.newInputStream(ch));
        if (!reading.remove(ch)) {
          return;
        }
        // Checked after reading, so a refused shim is not left writing to a closed socket.
        peers.requireRoot(ch);
        answer = runner.run(request);
      } catch (EOFException | AsynchronousCloseException gone) {
        return;
      } catch (CniException e) {
        answer = ShimAnswer.error(e);
      } finally {
        reading.remove(ch);
      }
      ByteBuffer b = ShimWire.encode(answer);
      while (b.hasRemaining()) {
        ch.write(b);
      }
    } catch (IOException | RuntimeException e) {
      log.println("jcni serve: " + ErrorText.of(e));
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // Closing only ends a wait; nothing to report.
    }
  }
}
