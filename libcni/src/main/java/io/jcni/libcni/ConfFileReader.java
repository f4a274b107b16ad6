package io.jcni.libcni;

import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/**
 * The reader of configuration files: reads only regular files (symlinks followed, as Go does), and at most
 * {@link #MAX_BYTES}, so that a stray FIFO, device or endless file in a configuration directory is one error
 * naming it instead of a hang or an exhausted heap.
 */
final class ConfFileReader {
  /**
   * The largest configuration file read, 1 MiB. Real conflists are a few KiB (even multus or cilium lists with
   * long inline plugin sections stay well below 64 KiB); 1 MiB is far above any of them yet small enough that a
   * directory full of files at the limit cannot strain the heap.
   */
  static final int MAX_BYTES = 1 << 20;

  private ConfFileReader() {}

  /**
   * The content of {@code file}.
   *
   * @throws CniException code 5: {@code error reading F: open F: no such file or directory} (and Go's other
   *     texts for missing, forbidden and directory paths), {@code error reading F: F is a named pipe (FIFO), not a
   *     regular file} (likewise socket, character device, block device), {@code error reading F: F is larger
   *     than 1048576 bytes}
   */
  static byte[] read(Path file) throws CniException {
    String kind;
    try {
      kind = nonRegularKind(file);
    } catch (IOException e) {
      throw ioError(file, "open ", e);
    }
    if (kind != null) {
      // Refused before opening: opening a FIFO for reading blocks until a writer appears.
      throw new CniException(ErrorCode.IO_FAILURE, "error reading " + file + ": " + file + " is a " + kind
          + ", not a regular file");
    }
    byte[] bytes;
    // A file may grow between the check and the read (or be a /proc file whose size reads as zero): the limit is
    // enforced on what is read, never on the size the file claims.
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw ioError(file, e instanceof NoSuchFileException || e instanceof AccessDeniedException ? "open " : "read ",
          e);
    }
    if (bytes.length > MAX_BYTES) {
      throw new CniException(ErrorCode.IO_FAILURE, "error reading " + file + ": " + file + " is larger than "
          + MAX_BYTES + " bytes");
    }
    return bytes;
  }

  /** What {@code file} is when it is neither a regular file nor a directory (the read reports that one), else null. */
  private static String nonRegularKind(Path file) throws IOException {
    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
    if (attrs.isRegularFile() || attrs.isDirectory()) {
      return null;
    }
    Object mode;
    try {
      mode = Files.getAttribute(file, "unix:mode");
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return "special file";
    }
    return switch (((Integer) mode) & 0170000) {
      case 0010000 -> "named pipe (FIFO)";
      case 0020000 -> "character device";
      case 0060000 -> "block device";
      case 0140000 -> "socket";
      default -> "special file";
    };
  }

  private static CniException ioError(Path file, String op, IOException e) {
    return new CniException(ErrorCode.IO_FAILURE, "error reading " + file + ": " + op + file + ": " + reason(e),
        "", e);
  }

  /** The errno text Go would print for {@code e}. */
  static String reason(IOException e) {
    if (e instanceof FileSystemException f) {
      return ErrorText.reason(f);
    }
    // Reading a directory fails with a plain IOException carrying the kernel's text.
    String m = String.valueOf(e.getMessage());
    return m.toLowerCase(Locale.ROOT).contains("is a directory") ? "is a directory" : m;
  }
}
