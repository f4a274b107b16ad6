package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads small files of one directory with three system calls each ({@code openat}, {@code read},
 * {@code close}), for stores that keep one short record per file and must look at all of them, such as
 * host-local's.
 *
 * <p>Files are opened relative to the directory without following symbolic links and without blocking, so
 * symlinks, subdirectories, and entries removed meanwhile are left out; no stat is needed to tell them apart.
 */
public final class SmallFiles {
  private static final int CHUNK = 4096;

  private SmallFiles() {}

  /**
   * The bytes of every file in {@code dir} that is not a symlink or a directory, by file name, in directory order.
   *
   * @throws IOException if the directory cannot be opened or listed
   */
  public static Map<String, byte[]> readAll(Path dir) throws IOException {
    int dirFd = LibC.openDirectory(dir);
    try (DirectoryStream<Path> names = Files.newDirectoryStream(dir)) {
      List<String> all = new ArrayList<>();
      names.forEach(p -> all.add(p.getFileName().toString()));
      return read(dirFd, all);
    } finally {
      NetNs.closeQuietly(dirFd);
    }
  }

  /**
   * The bytes of each of {@code names} in {@code dir} that exists and is not a symlink or a directory, by file
   * name, in the order given.
   *
   * @throws IOException if the directory cannot be opened
   */
  public static Map<String, byte[]> read(Path dir, Collection<String> names) throws IOException {
    int dirFd = LibC.openDirectory(dir);
    try {
      return read(dirFd, names);
    } finally {
      NetNs.closeQuietly(dirFd);
    }
  }

  private static Map<String, byte[]> read(int dirFd, Collection<String> names) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (Memory buf = new Memory(CHUNK)) {
      for (String name : names) {
        byte[] data = read(dirFd, name, buf);
        if (data != null) {
          out.put(name, data);
        }
      }
    }
    return out;
  }

  /** The file's bytes, or null when it cannot be opened or read as a file (symlink, directory, gone). */
  private static byte[] read(int dirFd, String name, Memory buf) {
    int fd;
    try {
      fd = LibC.openat(dirFd, name, Kernel.O_RDONLY | Kernel.O_NOFOLLOW | Kernel.O_NONBLOCK | Kernel.O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      return null;
    }
    try {
      long n = LibC.read(fd, buf, CHUNK);
      if (n < CHUNK) {
        return buf.getByteArray(0, (int) n);
      }
      ByteArrayOutputStream more = new ByteArrayOutputStream();
      while (n > 0) {
        more.write(buf.getByteArray(0, (int) n), 0, (int) n);
        n = LibC.read(fd, buf, CHUNK);
      }
      return more.toByteArray();
    } catch (LastErrorException e) {
      return null; // EISDIR, or unreadable: skipped, as Go's walk skips files it cannot read
    } finally {
      NetNs.closeQuietly(fd);
    }
  }
}
