package io.jcni.demo.serve;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * {@code jcni install-plugins DIR [--socket PATH] [--serve-cmd CMD]}: writes the shim as {@code DIR/<type>} for every
 * in-process type, one binary hard-linked under every name (mode 0755), and the {@link ShimDefaults} the shims read
 * when their environment does not name the socket or the serve command. Each name is replaced atomically, so a
 * runtime exec'ing a plugin meanwhile runs either the old file or the shim.
 */
public final class ShimInstaller {
  /** Where the build puts the static shim in the jar. */
  static final String RESOURCE = "/io/jcni/demo/serve/jcni-shim";

  private ShimInstaller() {}

  /**
   * Parses {@code args} ({@code DIR [--socket PATH] [--serve-cmd CMD]}) and installs the shims of {@code types}.
   *
   * @throws IllegalArgumentException arguments that cannot be understood, or defaults the shim could not use
   */
  public static void command(List<String> args, Collection<String> types, PrintStream out)
      throws IOException, CniException {
    Path dir = null;
    Optional<Path> socket = Optional.empty();
    Optional<String> serveCommand = Optional.empty();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--socket") || a.equals("--serve-cmd")) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        String v = args.get(++i);
        if (a.equals("--socket")) {
          socket = Optional.of(Path.of(v));
        } else {
          serveCommand = Optional.of(v);
        }
      } else if (dir == null && !a.startsWith("--")) {
        dir = Path.of(a);
      } else {
        throw new IllegalArgumentException("install-plugins takes <dir> [--socket PATH] [--serve-cmd CMD], not " + a);
      }
    }
    if (dir == null) {
      throw new IllegalArgumentException("missing <dir>");
    }
    install(dir, types, new ShimDefaults(socket, serveCommand), out);
  }

  /**
   * Installs the shim under each of {@code types} in {@code dir} with {@code defaults} beside them, printing each
   * shim's path on {@code out}.
   */
  public static void install(Path dir, Collection<String> types, ShimDefaults defaults, PrintStream out)
      throws IOException, CniException {
    byte[] shim = shim();
    Files.createDirectories(dir);
    // The defaults first, so that no shim this installs ever runs without them.
    defaults.writeTo(dir);
    Path first = null;
    for (String type : types) {
      Path target = dir.resolve(type);
      Path tmp = dir.resolve("." + type + ".jcni-new");
      Files.deleteIfExists(tmp);
      if (first == null) {
        Files.write(tmp, shim);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
      } else {
        Files.createLink(tmp, first);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      first = first == null ? target : first;
      out.println(target);
    }
  }

  /** The shim's bytes from the jar. */
  static byte[] shim() throws IOException, CniException {
    try (InputStream in = ShimInstaller.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new CniException(ErrorCode.PLUGIN_NOT_AVAILABLE,
            "this jcni was built without the shim (gcc and libc6-dev were missing): install them and rebuild");
      }
      return in.readAllBytes();
    }
  }
}
