package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace held open by a file descriptor, and the only way this project enters one.
 *
 * <p>A namespace is entered only by {@link #runIn}, which runs the body on a fresh platform thread that joins the
 * namespace with {@code setns(2)}, switches back in {@code finally} and then ends; a thread whose switch-back failed
 * is never reused because no thread is. Everything the body starts (threads, processes, sockets) stays in the
 * namespace, and everything it hands to other threads runs outside it. The cheaper pattern is to enter once to
 * open a netlink socket ({@link RtNetlink#open}) and work through that socket from any thread.
 *
 * <p>Closing releases the descriptor; the namespace itself lives on while it is bind-mounted or has processes.
 */
public final class NetNs implements AutoCloseable {
  /** Where {@code ip netns} keeps its named namespaces. */
  public static final Path RUN_DIR = Path.of("/var/run/netns");

  private static final System.Logger LOG = System.getLogger(NetNs.class.getName());
  private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final Object RUN_DIR_LOCK = new Object();

  private final Path path;
  private final int fd;
  // The descriptor is closed when the handle is closed and no work is using it (see withFd), so its number cannot
  // be reused for another file while a setns or IFLA_NET_NS_FD request is about to read it. Guarded by this.
  private int users;
  private boolean closed;
  private boolean released;

  private NetNs(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  /** A body of work run inside a namespace; like {@link java.util.concurrent.Callable} with a typed exception. */
  @FunctionalInterface
  public interface Body<T, E extends Exception> {
    T call() throws E;
  }

  /**
   * Opens the network namespace at {@code path}, e.g. a {@code CNI_NETNS} value.
   *
   * @throws ErrnoException naming the path: kind {@code NOT_FOUND} if it does not exist, errno EINVAL if it is
   *     not a network namespace
   */
  public static NetNs open(Path path) throws IOException {
    String op = "open netns " + path;
    int fd;
    try {
      fd = LibC.open(path.toString(), Kernel.O_RDONLY | Kernel.O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw ErrnoException.of(op, e);
    }
    try {
      checkIsNetNs(op, path, fd);
    } catch (IOException | RuntimeException e) {
      closeQuietly(fd);
      throw e;
    }
    return new NetNs(path, fd);
  }

  private static void checkIsNetNs(String op, Path path, int fd) throws ErrnoException {
    try {
      long magic = LibC.filesystemType(fd);
      if (magic != Kernel.NSFS_MAGIC && magic != Kernel.PROC_SUPER_MAGIC) {
        throw new ErrnoException(op, Kernel.EINVAL,
            "not a network namespace (unknown FS magic on \"" + path + "\": " + Long.toHexString(magic) + ")");
      }
      int type = LibC.ioctl(fd, Kernel.NS_GET_NSTYPE);
      if (type != Kernel.CLONE_NEWNET) {
        throw new ErrnoException(op, Kernel.EINVAL,
            "not a network namespace (namespace type 0x" + Integer.toHexString(type) + ")");
      }
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Kernel.ENOTTY || e.getErrorCode() == Kernel.EINVAL) {
        throw new ErrnoException(op, Kernel.EINVAL, "not a network namespace");
      }
      throw ErrnoException.of(op, e);
    }
  }

  /**
   * Opens the calling thread's network namespace ({@code /proc/thread-self/ns/net}). Its {@link #path()} is
   * {@code /proc/<pid>/fd/<fd>}, which names this namespace for as long as this object is open, from any thread
   * and from child processes.
   */
  public static NetNs current() throws IOException {
    NetNs self = open(Path.of("/proc/thread-self/ns/net"));
    // the first handle is dropped without close(): the new one owns the same descriptor
    return new NetNs(Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + self.fd), self.fd);
  }

  /** The path {@code ip netns} uses for a named namespace: {@code /var/run/netns/<name>}. */
  public static Path pathOf(String name) {
    checkName(name);
    return RUN_DIR.resolve(name);
  }

  /**
   * Creates a named network namespace the way {@code ip netns add} does and opens it.
   *
   * <p>{@link #RUN_DIR} is made a shared mount point (bind-mounted onto itself first if it is not a mount point),
   * so that deleting the namespace in one mount namespace unmounts it everywhere. A fresh thread unshares
   * {@code CLONE_NEWNET} and bind-mounts its new namespace onto {@code /var/run/netns/<name>}.
   *
   * @throws ErrnoException kind {@code EXISTS} if the name is taken; nothing is left behind on failure
   */
  public static NetNs create(String name) throws IOException {
    Path p = pathOf(name);
    prepareRunDir();
    try {
      closeQuietly(LibC.open(p.toString(), Kernel.O_RDONLY | Kernel.O_CREAT | Kernel.O_EXCL | Kernel.O_CLOEXEC, 0));
    } catch (LastErrorException e) {
      throw ErrnoException.of("create namespace file " + p, e);
    }
    try {
      onFreshThread("netns-create-" + name, () -> {
        int origin = openOwnNetNs();
        try {
          LibC.unshare(Kernel.CLONE_NEWNET);
        } catch (LastErrorException e) {
          closeQuietly(origin);
          throw ErrnoException.of("create network namespace " + name, e);
        }
        try {
          try {
            LibC.mount("/proc/thread-self/ns/net", p.toString(), "none", Kernel.MS_BIND, null);
          } catch (LastErrorException e) {
            throw ErrnoException.of("bind /proc/thread-self/ns/net -> " + p, e);
          }
          return null;
        } finally {
          restore(origin);
        }
      });
      return open(p);
    } catch (IOException | RuntimeException | Error e) {
      try {
        delete(name);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /**
   * Deletes a named namespace the way {@code ip netns del} does: lazily unmounts and removes
   * {@code /var/run/netns/<name>}. The namespace is freed once nothing else holds it.
   *
   * @throws ErrnoException kind {@code NOT_FOUND} if there is no such namespace file
   */
  public static void delete(String name) throws IOException {
    Path p = pathOf(name);
    try {
      LibC.umount2(p.toString(), Kernel.MNT_DETACH);
    } catch (LastErrorException ignored) {
      // like iproute2: a file that is not mounted is still removed
    }
    try {
      Files.delete(p);
    } catch (NoSuchFileException e) {
      throw new ErrnoException("remove namespace file " + p, Kernel.ENOENT);
    }
  }

  private static void prepareRunDir() throws IOException {
    synchronized (RUN_DIR_LOCK) {
      Files.createDirectories(RUN_DIR);
      String dir = RUN_DIR.toString();
      boolean madeMountPoint = false;
      while (true) {
        try {
          LibC.mount("", dir, "none", Kernel.MS_SHARED | Kernel.MS_REC, null);
          return;
        } catch (LastErrorException e) {
          if (e.getErrorCode() != Kernel.EINVAL || madeMountPoint) {
            throw ErrnoException.of("mount --make-shared " + dir, e);
          }
        }
        try {
          LibC.mount(dir, dir, "none", Kernel.MS_BIND | Kernel.MS_REC, null);
        } catch (LastErrorException e) {
          throw ErrnoException.of("mount --bind " + dir + " " + dir, e);
        }
        madeMountPoint = true;
      }
    }
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
        || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid network namespace name " + (name == null ? null : '"' + name + '"'));
    }
  }

  /** The path this namespace was opened from. */
  public Path path() {
    return path;
  }

  /** The namespace's inode number, its identity: two handles with equal inodes are the same namespace. */
  public long inode() throws IOException {
    // stat through the descriptor's magic link reaches the nsfs inode, also for a bind-mounted file
    return withFd(f -> ((Number) Files.getAttribute(Path.of("/proc/self/fd/" + f), "unix:ino")).longValue());
  }

  /** Work that needs the namespace descriptor. */
  @FunctionalInterface
  interface FdBody<T, E extends Exception> {
    T apply(int fd) throws E;
  }

  /**
   * Runs {@code body} with the descriptor, which stays open until it returns even if {@link #close()} is called
   * meanwhile (the last user then closes it), so the number cannot be reused for another file or namespace while
   * the kernel is about to read it. Never blocks.
   *
   * @throws IllegalStateException if this handle is closed
   */
  <T, E extends Exception> T withFd(FdBody<T, E> body) throws E {
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("network namespace " + path + " is closed");
      }
      users++;
    }
    try {
      return body.apply(fd);
    } finally {
      boolean release;
      synchronized (this) {
        users--;
        release = closed && users == 0 && !released;
        released |= release;
      }
      if (release) {
        closeQuietly(fd);
      }
    }
  }

  /**
   * Runs {@code body} inside this namespace on a fresh platform thread and returns its result, rethrowing what
   * it throws. The thread switches back to its original namespace in {@code finally} and then ends.
   *
   * <p>The body must not hand work to pooled threads expecting it to run inside, and must not leave threads or
   * processes running that should live outside: both inherit the namespace of the thread that starts them.
   *
   * @throws IllegalStateException if called from a virtual thread (its carrier is shared with other virtual
   *     threads, so no namespace work may even start from one)
   * @throws ErrnoException if the namespace cannot be entered ({@code setns} failed)
   */
  public <T, E extends Exception> T runIn(Body<T, E> body) throws E, IOException {
    return withFd(target -> onFreshThread("netns-" + path.getFileName(), () -> inside(target, body)));
  }

  /**
   * Work that {@link #startIn} started inside a namespace on its own fresh platform thread.
   *
   * @param <T> the result type
   * @param <E> what the body can throw
   */
  public static final class Pending<T, E extends Exception> {
    private final Thread thread;
    private final Object[] outcome;

    private Pending(Thread thread, Object[] outcome) {
      this.thread = thread;
      this.outcome = outcome;
    }

    /** Waits for the work to end and returns its result, rethrowing what it threw; may be called again. */
    public T join() throws E, IOException {
      return joinFresh(thread, outcome);
    }
  }

  /**
   * Starts {@code body} inside this namespace on a fresh platform thread, as {@link #runIn} does, but returns at
   * once, so the caller can do other work while the thread starts (a thread start is a large part of an ADD when
   * the node is busy). The caller must {@link Pending#join} it, also on failure paths, and must not close this
   * handle before; the same rules for the body apply as for {@link #runIn}.
   *
   * @throws IllegalStateException if called from a virtual thread
   */
  public <T, E extends Exception> Pending<T, E> startIn(Body<T, E> body) {
    Object[] outcome = new Object[2];
    Thread t = startFresh("netns-" + path.getFileName(), () -> withFd(target -> inside(target, body)), outcome);
    return new Pending<>(t, outcome);
  }

  /** On the fresh thread: enters the namespace, runs the body and switches back. */
  private <T, E extends Exception> T inside(int target, Body<T, E> body) throws E, IOException {
    int origin = openOwnNetNs();
    try {
      LibC.setns(target, Kernel.CLONE_NEWNET);
    } catch (LastErrorException e) {
      // Still in its own namespace (e.g. EPERM without CAP_SYS_ADMIN): nothing to switch back.
      closeQuietly(origin);
      throw ErrnoException.of("setns " + path, e);
    }
    try {
      return body.call();
    } finally {
      restore(origin);
    }
  }

  private static int openOwnNetNs() throws ErrnoException {
    try {
      return LibC.open("/proc/thread-self/ns/net", Kernel.O_RDONLY | Kernel.O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw ErrnoException.of("open /proc/thread-self/ns/net", e);
    }
  }

  /** Switches the calling (fresh, about to end) thread back; if that fails the thread still ends, so it is only logged. */
  private static void restore(int origin) {
    try {
      LibC.setns(origin, Kernel.CLONE_NEWNET);
    } catch (LastErrorException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot switch thread " + Thread.currentThread().getName()
          + " back to its network namespace (" + Kernel.errnoName(e.getErrorCode()) + "); the thread is discarded");
    } finally {
      closeQuietly(origin);
    }
  }

  /**
   * Runs {@code task} on a new platform thread that ends afterwards, waits for it and rethrows whatever it threw
   * unchanged (callers declare what their task can throw).
   */
  private static <T> T onFreshThread(String name, Body<T, ? extends Exception> task) {
    Object[] outcome = new Object[2];
    return joinFresh(startFresh(name, task, outcome), outcome);
  }

  /** Starts {@code task} on a new platform thread that ends afterwards; its result or throwable goes to {@code outcome}. */
  private static Thread startFresh(String name, Body<?, ? extends Exception> task, Object[] outcome) {
    if (isVirtual(Thread.currentThread())) {
      throw new IllegalStateException("network namespace work cannot start from a virtual thread ("
          + Thread.currentThread() + "): setns would move its carrier thread; use a platform thread");
    }
    Thread t = new Thread(null, () -> {
      try {
        outcome[0] = task.call();
      } catch (Throwable x) {
        outcome[1] = x;
      }
    }, name + "-" + THREADS.incrementAndGet());
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Waits for a thread of {@link #startFresh} and returns its result or rethrows its throwable unchanged. */
  private static <T> T joinFresh(Thread t, Object[] outcome) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the body is already running; wait for it so its effects are known
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (outcome[1] != null) {
      throw NetNs.<RuntimeException>sneaky((Throwable) outcome[1]);
    }
    @SuppressWarnings("unchecked")
    T result = (T) outcome[0];
    return result;
  }

  /** Throws {@code t} as it is; E's bound is Throwable so that the erased cast also passes an Error. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneaky(Throwable t) throws E {
    throw (E) t;
  }

  static boolean isVirtual(Thread t) {
    if (IS_VIRTUAL == null) {
      return false;
    }
    try {
      return (boolean) IS_VIRTUAL.invokeExact(t);
    } catch (Throwable e) {
      throw new AssertionError(e);
    }
  }

  /** {@code Thread::isVirtual} on Java 21+; null on 17, where virtual threads do not exist. */
  private static MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  static void closeQuietly(int fd) {
    try {
      LibC.close(fd);
    } catch (LastErrorException ignored) {
      // nothing useful to do: the descriptor is gone either way
    }
  }

  /** Releases the descriptor (at once, or when the work still using it ends); idempotent, never blocks. */
  @Override
  public void close() {
    boolean release;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      release = users == 0;
      released = release;
    }
    if (release) {
      closeQuietly(fd);
    }
  }

  @Override
  public String toString() {
    return "NetNs[" + path + "]";
  }
}
