package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Mounting and unmounting a private scratch filesystem: a {@code tmpfs} over a directory, for state that must not
 * outlive a run (the bench's result cache and host-local store), whatever filesystem the directory is on.
 */
public final class Mounts {
  private Mounts() {}

  /**
   * Mounts a fresh {@code tmpfs} on {@code dir} with {@code options} (mount(8)'s {@code -o}, e.g.
   * {@code "mode=0700,size=64m"}).
   *
   * @throws ErrnoException when the kernel refuses (not root, no such directory)
   */
  public static void tmpfs(Path dir, String options) throws ErrnoException {
    byte[] opts = (options + "\0").getBytes(StandardCharsets.US_ASCII);
    try (Memory data = new Memory(opts.length)) {
      data.write(0, opts, 0, opts.length);
      LibC.mount("tmpfs", dir.toString(), "tmpfs", 0, data);
    } catch (LastErrorException e) {
      throw ErrnoException.of("mount tmpfs on " + dir, e);
    }
  }

  /**
   * Detaches whatever is mounted on {@code dir} ({@code MNT_DETACH}: it goes once nothing uses it any more).
   *
   * @throws ErrnoException when nothing is mounted there or the kernel refuses
   */
  public static void unmount(Path dir) throws ErrnoException {
    try {
      LibC.umount2(dir.toString(), Kernel.MNT_DETACH);
    } catch (LastErrorException e) {
      throw ErrnoException.of("unmount " + dir, e);
    }
  }
}
