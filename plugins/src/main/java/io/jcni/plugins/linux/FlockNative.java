package io.jcni.plugins.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/** The three libc calls {@link Flock} needs, direct-mapped so a lock costs no proxy dispatch. */
final class FlockNative {
  static final int O_RDONLY = 0;
  static final int O_CREAT = 0100;
  static final int O_CLOEXEC = 02000000;
  static final int O_NOFOLLOW = 0400000;
  static final int LOCK_EX = 2;
  static final int LOCK_NB = 4;
  static final int LOCK_UN = 8;
  static final int EINTR = 4;
  static final int EWOULDBLOCK = 11;

  static {
    Native.register(FlockNative.class, NativeLibrary.getInstance("c"));
  }

  private FlockNative() {}

  static native int open(String path, int flags, int mode) throws LastErrorException;

  static native int flock(int fd, int operation) throws LastErrorException;

  static native int close(int fd) throws LastErrorException;
}
