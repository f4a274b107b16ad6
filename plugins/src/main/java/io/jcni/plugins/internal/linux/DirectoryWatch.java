package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.jcni.libcni.internal.cache.DirectoryChanges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A watch on the entries of one directory through inotify(7): which names were created, removed, renamed or
 * written since the last {@link #drain()}. It lets a process keep an in-memory copy of a directory that other
 * processes change under a shared lock, such as host-local's store: the kernel queues an event before the changing
 * system call returns, so once a reader holds the lock a writer released, every change that writer made can be
 * drained — no need to read every file again.
 *
 * <p>All watches of the JVM share one inotify instance (instances are limited per user, watches are plentiful), so
 * this costs one file descriptor however many directories are watched. A watch is only offered where inotify sees
 * every change: on local filesystems, not on network or FUSE ones, whose other clients it cannot see.
 */
public final class DirectoryWatch implements DirectoryChanges {
  /** Fail with EEXIST instead of sharing the watch when the directory is already watched under another path. */
  private static final int IN_MASK_CREATE = 0x10000000;
  private static final int MASK = Kernel.IN_CREATE | Kernel.IN_DELETE | Kernel.IN_MODIFY | Kernel.IN_CLOSE_WRITE
      | Kernel.IN_ATTRIB | Kernel.IN_MOVED_FROM | Kernel.IN_MOVED_TO | Kernel.IN_DELETE_SELF | Kernel.IN_MOVE_SELF
      | Kernel.IN_ONLYDIR | IN_MASK_CREATE;
  private static final Set<Long> LOCAL_FILESYSTEMS = Set.of(Kernel.EXT4_SUPER_MAGIC, Kernel.XFS_SUPER_MAGIC,
      Kernel.BTRFS_SUPER_MAGIC, Kernel.TMPFS_MAGIC, Kernel.F2FS_SUPER_MAGIC, Kernel.ZFS_SUPER_MAGIC);
  private static final int EVENT_HEADER = 16;
  private static final int BUFFER = 64 * 1024;

  private final Path dir;
  /** The device and inode {@link #dir} led to before the watch was added. */
  private final Object identity;
  private final int wd;
  private final Set<String> changed = new HashSet<>();
  private boolean lost;
  private boolean closed;

  private DirectoryWatch(Path dir, Object identity, int wd) {
    this.dir = dir;
    this.identity = identity;
    this.wd = wd;
  }

  /**
   * Starts watching {@code dir}; empty when inotify cannot see all of its changes (not a local filesystem, the
   * directory already watched under another path, the kernel's inotify limits reached, an old kernel).
   *
   * @throws IOException if the directory cannot be opened
   */
  public static Optional<DirectoryWatch> open(Path dir) throws IOException {
    if (!LOCAL_FILESYSTEMS.contains(filesystemOf(dir))) {
      return Optional.empty();
    }
    Optional<Instance> inotify = Instance.get();
    return inotify.isPresent() ? inotify.get().add(dir) : Optional.empty();
  }

  /** Opens watches for libcni's result cache ({@link DirectoryChanges.Provider} service). */
  public static final class Opener implements DirectoryChanges.Provider {
    @Override
    public Optional<DirectoryChanges> watch(Path dir) throws IOException {
      return open(dir).map(w -> w);
    }
  }

  /** The directory watched. */
  public Path dir() {
    return dir;
  }

  /**
   * The names whose entries changed since the last call (or since {@link #open}); empty when the watch lost track
   * — the kernel's queue overflowed, the directory was removed or moved, or its path leads to another directory now
   * (one mounted over it, a parent replaced), whose changes the watch does not see — and the directory must be read
   * again under a new watch.
   */
  @Override
  public Optional<Set<String>> drain() {
    Instance inotify = Instance.get().orElseThrow();
    boolean moved = !identityOf(dir).equals(identity);
    synchronized (inotify) {
      inotify.pump();
      if (lost || closed || moved) {
        return Optional.empty();
      }
      Set<String> out = Set.copyOf(changed);
      changed.clear();
      return Optional.of(out);
    }
  }

  /** Stops watching; {@link #drain()} then reports the watch lost. */
  @Override
  public void close() {
    Instance inotify = Instance.get().orElseThrow();
    synchronized (inotify) {
      if (!closed) {
        closed = true;
        inotify.remove(this);
      }
    }
  }

  /** The device and inode {@code dir} leads to now; none when it leads nowhere. */
  private static Object identityOf(Path dir) {
    try {
      return Optional.ofNullable(Files.readAttributes(dir, BasicFileAttributes.class).fileKey());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static long filesystemOf(Path dir) throws IOException {
    int fd = LibC.openDirectory(dir);
    try {
      return LibC.filesystemType(fd);
    } catch (LastErrorException e) {
      throw ErrnoException.of("statfs " + dir, e);
    } finally {
      NetNs.closeQuietly(fd);
    }
  }

  /** The JVM's one inotify instance and the watches on it, by watch descriptor; guarded by its own monitor. */
  private static final class Instance {
    private static volatile Optional<Instance> shared;

    private final int fd;
    private final Map<Integer, DirectoryWatch> watches = new HashMap<>();
    private final Memory buf = new Memory(BUFFER);
    private final int[] available = new int[1];

    private Instance(int fd) {
      this.fd = fd;
    }

    /** The instance, made on first use; empty when the kernel refuses one (per-user instance limit). */
    static Optional<Instance> get() {
      Optional<Instance> i = shared;
      if (i == null) {
        synchronized (Instance.class) {
          i = shared;
          if (i == null) {
            try {
              i = Optional.of(new Instance(LibC.inotify_init1(Kernel.IN_NONBLOCK | Kernel.IN_CLOEXEC)));
            } catch (LastErrorException e) {
              i = Optional.empty();
            }
            shared = i;
          }
        }
      }
      return i;
    }

    synchronized Optional<DirectoryWatch> add(Path dir) {
      pump(); // events of a removed watch with a reused number must not reach the new one
      // before the watch: a directory put in its place in between then counts as another one, and is read again
      Object identity = identityOf(dir);
      int wd;
      try {
        wd = LibC.inotify_add_watch(fd, dir.toString(), MASK);
      } catch (LastErrorException e) {
        // EEXIST: watched already under another path; ENOSPC: the user's watch limit; EINVAL: a kernel older than
        // 4.18 (no IN_MASK_CREATE). Whatever it is, the caller reads the directory itself, which reports a
        // directory that is really unusable.
        return Optional.empty();
      }
      DirectoryWatch w = new DirectoryWatch(dir, identity, wd);
      watches.put(wd, w);
      return Optional.of(w);
    }

    void remove(DirectoryWatch w) {
      if (watches.remove(w.wd, w)) {
        try {
          LibC.inotify_rm_watch(fd, w.wd);
        } catch (LastErrorException e) {
          // the kernel dropped the watch already (directory removed); its IN_IGNORED event is skipped in pump
        }
      }
    }

    /** Reads every queued event and hands each name to its watch (FIONREAD first: an empty read would throw). */
    void pump() {
      while (true) {
        try {
          LibC.ioctl(fd, Kernel.FIONREAD, available);
        } catch (LastErrorException e) {
          watches.values().forEach(w -> w.lost = true);
          return;
        }
        if (available[0] <= 0) {
          return;
        }
        long n;
        try {
          n = LibC.read(fd, buf, BUFFER);
        } catch (LastErrorException e) {
          if (e.getErrorCode() == Kernel.EAGAIN || e.getErrorCode() == Kernel.EINTR) {
            continue;
          }
          watches.values().forEach(w -> w.lost = true);
          return;
        }
        dispatch(n);
      }
    }

    private void dispatch(long n) {
      int off = 0;
      while (off + EVENT_HEADER <= n) {
        int wd = buf.getInt(off);
        int mask = buf.getInt(off + 4);
        int len = buf.getInt(off + 12);
        if ((mask & Kernel.IN_Q_OVERFLOW) != 0) {
          watches.values().forEach(w -> w.lost = true);
        } else {
          DirectoryWatch w = watches.get(wd);
          if (w != null) {
            if ((mask & (Kernel.IN_IGNORED | Kernel.IN_DELETE_SELF | Kernel.IN_MOVE_SELF)) != 0) {
              w.lost = true;
            } else if (len > 0) {
              w.changed.add(name(off + EVENT_HEADER, len));
            }
          }
        }
        off += EVENT_HEADER + len;
      }
    }

    /** The NUL-padded name of an event. */
    private String name(int off, int len) {
      byte[] b = buf.getByteArray(off, len);
      int end = 0;
      while (end < len && b[end] != 0) {
        end++;
      }
      return new String(b, 0, end, StandardCharsets.UTF_8);
    }
  }
}
