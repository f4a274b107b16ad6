package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code net.*} sysctls of one network namespace ({@code /proc/sys/net/...}), read and written from any thread.
 *
 * <p>Which namespace a {@code /proc/sys/net} file belongs to is decided when it is looked up, by the network
 * namespace of the looking-up thread. {@link #open(NetNs)} therefore enters the namespace once (on a fresh thread,
 * see {@link NetNs#runIn}) and opens a directory descriptor for each subtree {@code /proc/sys/net/<top>}
 * ({@code ipv4}, {@code ipv6}, {@code core}, …); later keys are opened with {@code openat(2)} relative to those
 * descriptors, which resolves inside the namespace from any thread. This costs one thread start per
 * {@code open} instead of one per key. (A descriptor for {@code /proc/sys/net} itself would not do: its children
 * are looked up in the calling thread's namespace.) The static {@link #read(NetNs, String)} and
 * {@link #write(NetNs, String, String)} open, use and close one.
 *
 * <p>Keys are {@code net/ipv6/conf/eth0/accept_ra} or, as {@code sysctl(8)} writes them,
 * {@code net.ipv6.conf.eth0.accept_ra}; in the dotted form a {@code /} stands for a dot inside a component, so
 * {@code net.ipv4.conf.br0/100.forwarding} names interface {@code br0.100}.
 */
public final class Sysctl implements AutoCloseable {
  private static final Path ROOT = Path.of("/proc/sys/net");

  private final NetNs ns;
  private final Map<String, Integer> tops;
  private boolean closed;

  private Sysctl(NetNs ns, Map<String, Integer> tops) {
    this.ns = ns;
    this.tops = tops;
  }

  /** Opens the {@code net.*} sysctl tree of {@code ns} (enters it once). */
  public static Sysctl open(NetNs ns) throws IOException {
    return new Sysctl(ns, ns.runIn(Sysctl::openTops));
  }

  /**
   * Opens the {@code net.*} sysctl tree of the namespace the calling thread is in, which must be {@code ns} (named
   * in messages), without starting a thread: for the caller's own namespace, or inside a {@link NetNs#runIn} body
   * that has other work to do there too.
   */
  public static Sysctl openHere(NetNs ns) throws IOException {
    return new Sysctl(ns, openTops());
  }

  /** Like {@link #open(NetNs)}, but opens only the named subtrees; see {@link #openHere(NetNs, Set)}. */
  public static Sysctl open(NetNs ns, Set<String> tops) throws IOException {
    return ns.runIn(() -> openHere(ns, tops));
  }

  /**
   * Like {@link #openHere(NetNs)}, but opens only the named subtrees ({@code ipv4}, {@code ipv6}, …); keys elsewhere
   * then read as missing. A caller that knows its keys spares the listing of {@code /proc/sys/net} and a lookup per
   * other subtree, work that every ADD of the bridge paid twice. A subtree the namespace lacks (IPv6 disabled) is
   * left out, as the listing would.
   */
  public static Sysctl openHere(NetNs ns, Set<String> tops) throws IOException {
    for (String top : tops) {
      if (top.isEmpty() || top.contains("/") || top.equals(".") || top.equals("..")) {
        throw new IllegalArgumentException("invalid sysctl subtree " + top);
      }
    }
    // sys/net is looked up once and the subtrees relative to it, in a procfs instance of our own where possible:
    // in /proc each lookup of that component walks one entry per namespace on the node (PrivateProc).
    int net = PrivateProc.openSysNet();
    if (net < 0) {
      try {
        net = LibC.open(ROOT.toString(), Kernel.O_RDONLY | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0);
      } catch (LastErrorException e) {
        throw ErrnoException.of("open " + ROOT, e);
      }
    }
    Map<String, Integer> fds = new HashMap<>();
    try {
      for (String top : tops) {
        try {
          fds.put(top, LibC.openat(net, top, Kernel.O_RDONLY | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0));
        } catch (LastErrorException e) {
          if (e.getErrorCode() == Kernel.ENOENT || e.getErrorCode() == Kernel.ENOTDIR) {
            continue;
          }
          fds.values().forEach(NetNs::closeQuietly);
          throw ErrnoException.of("open " + ROOT.resolve(top), e);
        }
      }
    } finally {
      NetNs.closeQuietly(net);
    }
    return new Sysctl(ns, fds);
  }

  private static Map<String, Integer> openTops() throws IOException {
    Map<String, Integer> fds = new HashMap<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(ROOT)) {
      for (Path p : dir) {
        if (Files.isDirectory(p)) {
          try {
            fds.put(p.getFileName().toString(),
                LibC.open(p.toString(), Kernel.O_RDONLY | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0));
          } catch (LastErrorException e) {
            fds.values().forEach(NetNs::closeQuietly);
            throw ErrnoException.of("open " + p, e);
          }
        }
      }
    }
    return fds;
  }

  /** Reads one sysctl of {@code ns}, without the trailing newline. */
  public static String read(NetNs ns, String key) throws IOException {
    try (Sysctl s = open(ns)) {
      return s.read(key);
    }
  }

  /** Writes one sysctl of {@code ns}. */
  public static void write(NetNs ns, String key, String value) throws IOException {
    try (Sysctl s = open(ns)) {
      s.write(key, value);
    }
  }

  /**
   * Reads a sysctl, without the trailing newline.
   *
   * @throws ErrnoException kind {@code NOT_FOUND} (message {@code "open /proc/sys/net/…: no such file or
   *     directory"}, as Go's error reads) if there is no such key, e.g. for a missing interface
   */
  public String read(String key) throws IOException {
    String rel = relative(key);
    int fd = openKey(rel, Kernel.O_RDONLY);
    try (Memory buf = new Memory(4096)) {
      long n;
      try {
        n = LibC.read(fd, buf, buf.size());
      } catch (LastErrorException e) {
        throw ErrnoException.of("read " + ROOT.resolve(rel), e);
      }
      return new String(buf.getByteArray(0, (int) n), StandardCharsets.UTF_8).strip();
    } finally {
      NetNs.closeQuietly(fd);
    }
  }

  /** Writes a sysctl. */
  public void write(String key, String value) throws IOException {
    String rel = relative(key);
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    int fd = openKey(rel, Kernel.O_WRONLY);
    try (Memory buf = new Memory(Math.max(1, bytes.length))) {
      buf.write(0, bytes, 0, bytes.length);
      try {
        LibC.write(fd, buf, bytes.length);
      } catch (LastErrorException e) {
        throw ErrnoException.of("write " + ROOT.resolve(rel), e);
      }
    } finally {
      NetNs.closeQuietly(fd);
    }
  }

  /**
   * Writes {@code value} unless the sysctl already reads {@code value}; returns whether it wrote. The bridge
   * plugin writes {@code disable_ipv6} and forwarding this way.
   */
  public boolean ensure(String key, String value) throws IOException {
    if (read(key).equals(value)) {
      return false;
    }
    write(key, value);
    return true;
  }

  private int openKey(String rel, int mode) throws IOException {
    int slash = rel.indexOf('/');
    Integer dir;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("sysctl tree of " + ns.path() + " is closed");
      }
      dir = tops.get(slash < 0 ? rel : rel.substring(0, slash));
    }
    if (dir == null || slash < 0) {
      throw new ErrnoException("open " + ROOT.resolve(rel), slash < 0 ? Kernel.EISDIR : Kernel.ENOENT);
    }
    try {
      return LibC.openat(dir, rel.substring(slash + 1), mode | Kernel.O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw ErrnoException.of("open " + ROOT.resolve(rel), e);
    }
  }

  /** The key below {@code /proc/sys/net}, e.g. {@code ipv6/conf/eth0/accept_ra}. */
  static String relative(String key) {
    String path;
    if (key.startsWith("net/")) {
      path = key.substring(4);
    } else if (key.startsWith("net.")) {
      StringBuilder b = new StringBuilder(key.length());
      for (char c : key.substring(4).toCharArray()) {
        b.append(c == '.' ? '/' : c == '/' ? '.' : c);
      }
      path = b.toString();
    } else {
      throw new IllegalArgumentException("sysctl key " + key + " is not a net.* key (only those are per namespace)");
    }
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new IllegalArgumentException("invalid sysctl key " + key);
      }
    }
    return path;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      tops.values().forEach(NetNs::closeQuietly);
    }
  }
}
