package io.jcni.demo.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * What the shims of one plugin directory use when their environment does not say: the daemon's socket
 * ({@code JCNI_SOCKET}) and the command that starts the daemon on demand ({@code JCNI_SERVE_CMD}), kept as one-line
 * files beside the shims ({@value #SOCKET_FILE}, {@value #SERVE_CMD_FILE}) that the shim reads when the variable is
 * unset. They exist for callers that run a plugin with a minimal environment, such as the
 * {@code podman container cleanup} that conmon runs when a container exits.
 *
 * @param socket the daemon's socket, absolute; empty for the shim's default ({@link Serve#DEFAULT_SOCKET})
 * @param serveCommand a {@code /bin/sh} command line that starts the daemon; empty for none
 */
public record ShimDefaults(Optional<Path> socket, Optional<String> serveCommand) {
  /** The file holding the socket path, read by the shim (src/main/c/jcni-shim.c). */
  public static final String SOCKET_FILE = ".jcni-socket";
  /** The file holding the serve command, read by the shim. */
  public static final String SERVE_CMD_FILE = ".jcni-serve-cmd";
  /** The room for a path in {@code sockaddr_un.sun_path}, its terminating NUL included. */
  static final int SUN_PATH_SIZE = 108;

  /** The shim's own defaults: no files. */
  public static final ShimDefaults NONE = new ShimDefaults(Optional.empty(), Optional.empty());

  /**
   * Checks what the shim can use.
   *
   * @throws IllegalArgumentException a socket path that is relative (the shim runs in the runtime's working
   *     directory) or too long for a Unix socket, or a serve command that is blank or not one line
   */
  public ShimDefaults {
    socket.ifPresent(s -> {
      if (!s.isAbsolute()) {
        throw new IllegalArgumentException("--socket wants an absolute path, not " + s);
      }
      if (s.toString().getBytes(StandardCharsets.UTF_8).length >= SUN_PATH_SIZE) {
        throw new IllegalArgumentException("--socket " + s + " is too long for a Unix socket path (at most "
            + (SUN_PATH_SIZE - 1) + " bytes)");
      }
    });
    serveCommand.ifPresent(c -> {
      if (c.isBlank() || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0 || c.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("--serve-cmd wants a one-line shell command, not \"" + c + "\"");
      }
    });
  }

  /**
   * Writes these defaults into {@code dir}, each file replaced atomically (mode 0644), and removes a file whose
   * setting is empty, so that the directory says exactly this.
   */
  void writeTo(Path dir) throws IOException {
    write(dir, SOCKET_FILE, socket.map(Path::toString));
    write(dir, SERVE_CMD_FILE, serveCommand);
  }

  private static void write(Path dir, String name, Optional<String> value) throws IOException {
    Path target = dir.resolve(name);
    if (value.isEmpty()) {
      Files.deleteIfExists(target);
      return;
    }
    Path tmp = dir.resolve(name + ".jcni-new");
    Files.writeString(tmp, value.get() + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
