package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls this package makes, bound with JNA direct mapping (cheaper per call than interface mapping).
 *
 * <p>Every call that can fail throws {@link LastErrorException}, so errno is read on the calling thread right
 * after the call; {@link ErrnoException#of} turns it into an {@link ErrnoException}. Only 64-bit Linux is supported
 * ({@code size_t}/{@code long} are Java {@code long}).
 */
final class LibC {
  static {
    Native.register(LibC.class, Platform.C_LIBRARY_NAME);
  }

  private LibC() {}

  static native int open(String path, int flags, int mode) throws LastErrorException;

  static native int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

  static native int close(int fd) throws LastErrorException;

  static native int flock(int fd, int operation) throws LastErrorException;

  static native long read(int fd, Pointer buf, long count) throws LastErrorException;

  static native long write(int fd, Pointer buf, long count) throws LastErrorException;

  static native int setns(int fd, int nstype) throws LastErrorException;

  static native int unshare(int flags) throws LastErrorException;

  static native int mount(String source, String target, String fstype, long flags, Pointer data)
      throws LastErrorException;

  static native int umount2(String target, int flags) throws LastErrorException;

  static native int fstatfs(int fd, Pointer buf) throws LastErrorException;

  // syscall(2) for calls glibc may lack a wrapper for; one overload per argument shape, every argument a long
  static native long syscall(long number, String a, long b) throws LastErrorException;

  static native long syscall(long number, long a, long b, long c) throws LastErrorException;

  static native long syscall(long number, long a, long b, Pointer c, Pointer d, long e) throws LastErrorException;

  /** The {@code f_type} (filesystem magic) of the filesystem {@code fd} is on. */
  static long filesystemType(int fd) throws LastErrorException {
    try (com.sun.jna.Memory statfs = new com.sun.jna.Memory(120)) { // struct statfs is 120 bytes on 64-bit Linux
      fstatfs(fd, statfs);
      return statfs.getLong(0);
    }
  }

  /** Opens {@code dir} as a directory ({@code O_RDONLY | O_DIRECTORY | O_CLOEXEC}). */
  static int openDirectory(java.nio.file.Path dir) throws ErrnoException {
    try {
      return open(dir.toString(), Kernel.O_RDONLY | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      throw ErrnoException.of("open " + dir, e);
    }
  }

  /** ioctl without an argument (NS_GET_NSTYPE); {@code request} is an unsigned long. */
  static native int ioctl(int fd, long request) throws LastErrorException;

  /** ioctl with an int out-argument (FIONREAD). */
  static native int ioctl(int fd, long request, int[] arg) throws LastErrorException;

  static native int inotify_init1(int flags) throws LastErrorException;

  static native int inotify_add_watch(int fd, String path, int mask) throws LastErrorException;

  static native int inotify_rm_watch(int fd, int wd) throws LastErrorException;

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  /** Used by tests to stand in a fake kernel for a netlink socket. */
  static native int socketpair(int domain, int type, int protocol, int[] fds) throws LastErrorException;

  static native int bind(int fd, Pointer addr, int addrlen) throws LastErrorException;

  static native int getsockname(int fd, Pointer addr, Pointer addrlen) throws LastErrorException;

  static native int setsockopt(int fd, int level, int name, Pointer value, int len) throws LastErrorException;

  static native long send(int fd, Pointer buf, long len, int flags) throws LastErrorException;

  static native long recv(int fd, Pointer buf, long len, int flags) throws LastErrorException;
}
