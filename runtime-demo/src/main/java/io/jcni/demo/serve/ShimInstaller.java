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

/**
 * {@code jcni install-plugins DIR}: writes the shim as {@code DIR/<type>} for every in-process type, one binary
 * hard-linked under every name (mode 0755). Each name is replaced atomically, so a runtime exec'ing a plugin
 * meanwhile runs either the old file or the shim.
 */
public final class ShimInstaller {
  /** Where the build puts the static shim in the jar. */
  static final String RESOURCE = "/io/jcni/demo/serve/jcni-shim";

  private ShimInstaller() {}

  /** Installs the shim under each of {@code types} in {@code dir}, printing each path on {@code out}. */
  public static void install(Path dir, Collection<String> types, PrintStream out) throws IOException, CniException {
    byte[] shim = shim();
    Files.createDirectories(dir);
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
