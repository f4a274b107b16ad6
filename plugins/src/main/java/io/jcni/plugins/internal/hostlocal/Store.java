package io.jcni.plugins.internal.hostlocal;

import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import io.jcni.plugins.internal.linux.Flock;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The host-local disk store of one network, {@code <dataDir>/<network>/}, byte-compatible with Go's host-local.
 *
 * <p>One file per reserved address, named in Go's IP format and holding {@code TrimSpace(id) + "\r\n" + ifname}
 * (legacy files hold just the id); {@code last_reserved_ip.N} holds the last address reserved from range set N;
 * {@code lock} is the {@code flock(2)} lock every reader and writer holds, Go processes included. The methods other
 * than {@link #lock()} expect the caller to hold the lock.
 */
public final class Store {
  /** Upstream's default {@code dataDir}. */
  public static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/cni/networks");

  static final String LAST_RESERVED_PREFIX = "last_reserved_ip.";
  static final String LINE_BREAK = "\r\n";
  private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));
  private static final Set<OpenOption> CREATE_NEW =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  // Never through a symlink planted in the store: Go follows it and overwrites the target. O_EXCL already
  // refuses one for CREATE_NEW.
  private static final Set<OpenOption> OVERWRITE =
      Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

  /** What this JVM keeps per store directory, shared by every {@code Store} opened on it. */
  private static final Map<Path, Shared> SHARED = new ConcurrentHashMap<>();

  /**
   * The JVM's lock for a directory and its copy of the directory's files. Threads of this JVM queue on the plain
   * lock before taking the flock: the kernel lock still excludes other processes, but threads then wait without
   * polling.
   */
  private record Shared(ReentrantLock jvmLock, StoreIndex index) {
    static Shared of(Path dir) {
      return SHARED.computeIfAbsent(dir, d -> new Shared(new ReentrantLock(), new StoreIndex(d)));
    }
  }

  private final Path dir;
  private final Duration lockTimeout;
  private final Shared shared;

  private Store(Path dir, Duration lockTimeout) {
    this.dir = dir;
    this.lockTimeout = lockTimeout;
    this.shared = Shared.of(dir);
  }

  /**
   * Opens the store of {@code network} under {@code dataDir}, creating the directory (0755) if needed.
   *
   * @param lockTimeout how long {@link #lock()} waits for other holders; null waits forever, as Go does
   */
  public static Store open(Path dataDir, String network, Duration lockTimeout) throws CniException {
    Path dir = dataDir.resolve(network).toAbsolutePath().normalize();
    try {
      // Every ADD and DEL opens the store, and it nearly always exists: one stat instead of createDirectories'
      // mkdir, which fails with EEXIST and costs an exception with its stack trace.
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, DIR_MODE);
      }
    } catch (IOException e) {
      throw ioError("cannot create host-local store " + dir, e);
    }
    return new Store(dir, lockTimeout);
  }

  /** The store's directory, {@code <dataDir>/<network>}. */
  public Path dir() {
    return dir;
  }

  /** The lock held while reading or changing the store; close it to release. */
  public interface Lock extends AutoCloseable {
    @Override
    void close();
  }

  /** Takes the store lock: this JVM's lock for the directory, then {@code flock(2)} on {@code <dir>/lock}. */
  public Lock lock() throws CniException {
    ReentrantLock jvm = shared.jvmLock();
    try {
      if (lockTimeout == null) {
        jvm.lockInterruptibly();
      } else if (!jvm.tryLock(lockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw CniException.timeout(
            "timed out after " + Deadline.format(lockTimeout) + " waiting for the lock on " + dir);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Deadline.cancelled("the lock on " + dir);
    }
    try {
      Flock flock = Flock.acquire(dir.resolve("lock"), lockTimeout);
      return () -> {
        try {
          flock.close();
        } finally {
          jvm.unlock();
        }
      };
    } catch (Flock.LockTimeoutException e) {
      jvm.unlock();
      throw CniException.timeout(
          "timed out after " + Deadline.format(lockTimeout) + " waiting for the lock on " + dir);
    } catch (InterruptedIOException e) {
      jvm.unlock();
      throw Deadline.cancelled("the lock on " + dir);
    } catch (IOException | RuntimeException e) {
      jvm.unlock();
      throw fileError("cannot lock host-local store " + dir, dir.resolve("lock"), e);
    }
  }

  /**
   * Reserves {@code ip} for {@code id}/{@code ifname} by creating its file exclusively, then records it in
   * {@code last_reserved_ip.<rangeId>}; returns false when the address is already taken.
   */
  public boolean reserve(String id, String ifname, InetAddress ip, int rangeId) throws CniException {
    Path file = fileOf(ip);
    try (SeekableByteChannel ch = Files.newByteChannel(file, CREATE_NEW, FILE_MODE)) {
      try {
        write(ch, ownerKey(id, ifname));
      } catch (IOException e) {
        Files.deleteIfExists(file);
        throw e;
      }
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw ioError("cannot reserve " + file, e);
    }
    Path last = dir.resolve(LAST_RESERVED_PREFIX + rangeId);
    // Overwrite, then cut to length, instead of O_TRUNC: on ext4 a truncation to zero makes the kernel flush the
    // file (auto_da_alloc), which cost 90% of an ADD. Readers hold the lock, so none sees the file half-written.
    try (SeekableByteChannel ch = Files.newByteChannel(last, OVERWRITE, FILE_MODE)) {
      write(ch, Ips.format(ip));
      ch.truncate(ch.position());
    } catch (IOException e) {
      // Go reports the failure but keeps the reservation; removing it keeps "a failed ADD reserves nothing".
      deleteQuietly(file);
      throw fileError("cannot write " + last, last, e);
    }
    return true;
  }

  /** The address in {@code last_reserved_ip.<rangeId>}, if the file exists and parses exactly (no trimming). */
  public Optional<InetAddress> lastReservedIp(int rangeId) {
    try {
      return Optional.ofNullable(Ips.tryParse(read(dir.resolve(LAST_RESERVED_PREFIX + rangeId))));
    } catch (IOException e) {
      // Missing, or a symlink: start from the range's beginning; writing it back fails on a symlink.
      return Optional.empty();
    }
  }

  /**
   * The names of the store's regular files (reserved addresses in Go's format among them), a read-only view valid
   * until the next call that reads the store.
   */
  public Set<String> fileNames() throws CniException {
    return contents().keySet();
  }

  /** The addresses whose file holds exactly this owner (no legacy fallback, as upstream's {@code GetByID}). */
  public List<InetAddress> getById(String id, String ifname) throws CniException {
    List<InetAddress> out = new ArrayList<>();
    for (String name : namesHolding(ownerKey(id, ifname))) {
      parseIp(name).ifPresent(out::add);
    }
    return out;
  }

  /** Whether any file is owned by {@code id}/{@code ifname}, or (legacy) by {@code id} alone. */
  public boolean findById(String id, String ifname) throws CniException {
    return !namesHolding(ownerKey(id, ifname)).isEmpty() || !namesHolding(goTrimSpace(id)).isEmpty();
  }

  /**
   * Removes every file owned by {@code id}/{@code ifname}; when there is none, every file holding just {@code id}
   * (written by old plugin versions). Unknown owners are fine. Like upstream, this walks every file in the
   * directory, so a {@code last_reserved_ip.N} whose content happens to match is removed too.
   */
  public void releaseById(String id, String ifname) throws CniException {
    if (!removeAll(namesHolding(ownerKey(id, ifname)))) {
      removeAll(namesHolding(goTrimSpace(id)));
    }
  }

  /** Removes {@code ip}'s file if it still belongs to {@code id}/{@code ifname}; used to undo a failed ADD. */
  public void release(InetAddress ip, String id, String ifname) {
    Path file = fileOf(ip);
    try {
      if (goTrimSpace(read(file)).equals(ownerKey(id, ifname))) {
        Files.deleteIfExists(file);
      }
    } catch (IOException ignored) {
      // Gone already, or unreadable: nothing of ours to remove.
    }
  }

  /** Every reserved address with the owner recorded in its file. */
  public Map<InetAddress, Owner> reservations() throws CniException {
    Map<InetAddress, Owner> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : contents().entrySet()) {
      Optional<InetAddress> ip = parseIp(e.getKey());
      ip.ifPresent(a -> out.put(a, Owner.parse(e.getValue())));
    }
    return out;
  }

  /** Removes the file of {@code ip}; false when it did not exist. */
  public boolean remove(InetAddress ip) throws CniException {
    try {
      return Files.deleteIfExists(fileOf(ip));
    } catch (IOException e) {
      throw ioError("cannot release " + fileOf(ip), e);
    }
  }

  /**
   * The owner written in an address file: container id and interface name ({@code ifname} is null for a legacy
   * file that holds only the id).
   */
  public record Owner(String containerId, String ifname) {
    static Owner parse(String trimmedContent) {
      int i = trimmedContent.indexOf(LINE_BREAK);
      return i < 0
          ? new Owner(trimmedContent, null)
          : new Owner(trimmedContent.substring(0, i), trimmedContent.substring(i + LINE_BREAK.length()));
    }
  }

  /** The file of {@code ip}: the address in Go's {@code net.IP.String()} form. */
  Path fileOf(InetAddress ip) {
    return dir.resolve(Ips.format(ip));
  }

  static String ownerKey(String id, String ifname) {
    return goTrimSpace(id) + LINE_BREAK + ifname;
  }

  /** Deletes the files {@code names}; true if any was deleted. */
  private boolean removeAll(Set<String> names) {
    boolean found = false;
    for (String name : List.copyOf(names)) {
      try {
        Files.delete(dir.resolve(name));
        found = true;
      } catch (IOException ignored) {
        // Upstream eats removal errors to release as much as possible.
      }
    }
    return found;
  }

  /**
   * Every file in the store with its trimmed content, by name in name order (as Go's walk reads them, lock file
   * included; symlinks and directories left out). Upstream reads them all on every ADD and DEL; this JVM keeps
   * them in a {@link StoreIndex} and reads only the files that changed since its last look.
   */
  /** The names of the files whose trimmed text is {@code text}, in name order, the index brought up to date first. */
  private SortedSet<String> namesHolding(String text) throws CniException {
    contents();
    return shared.index().namesWith(text);
  }

  private Map<String, String> contents() throws CniException {

    try {
      return shared.index().current();
    } catch (IOException e) {
      throw ioError("cannot list host-local store " + dir, e);
    }
  }

  private static Optional<InetAddress> parseIp(String name) {
    return Optional.ofNullable(Ips.tryParse(name));
  }

  private static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void write(SeekableByteChannel ch, String s) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // Best effort on an error path.
    }
  }

  private static CniException ioError(String msg, Exception e) {
    // The message names the file already; a file-system error adds only its reason.
    String why = e instanceof FileSystemException f ? ErrorText.reason(f) : ErrorText.of(e);
    return new CniException(ErrorCode.IO_FAILURE, msg + ": " + why, "", e);
  }

  /** An error on {@code file}, saying so plainly when the file is a symlink (which the store never follows). */
  private static CniException fileError(String msg, Path file, Exception e) {
    if (Files.isSymbolicLink(file)) {
      return new CniException(ErrorCode.IO_FAILURE,
          msg + ": " + file.getFileName() + " is a symbolic link; host-local never follows one in its store", "",
          e);
    }
    return ioError(msg, e);
  }

  /** Go's {@code strings.TrimSpace}: strips Unicode White_Space (which, unlike Java's strip, includes NBSP). */
  static String goTrimSpace(String s) {
    int b = 0;
    int e = s.length();
    while (b < e && isGoSpace(s.charAt(b))) {
      b++;
    }
    while (e > b && isGoSpace(s.charAt(e - 1))) {
      e--;
    }
    return s.substring(b, e);
  }

  private static boolean isGoSpace(char c) {
    switch (c) {
      case '\t', '\n', '\u000b', '\f', '\r', ' ', '\u0085', '\u00a0':
        return true;
      default:
        return c > 0xff && Character.isSpaceChar(c);
    }
  }
}
