package io.jcni.plugins.internal.linux;

import java.io.IOException;

/**
 * A failed system call or kernel request: the operation that failed, the errno, and the errno's class as a
 * {@link Kind} so callers can branch on "already exists" or "not there" without memorising numbers.
 *
 * <p>{@link #getMessage()} reads {@code "<operation>: <reason>"}, where {@link #reason()} is the errno text the
 * way Go prints it ({@code "file exists"}), so plugin messages built from it match the Go plugins' messages.
 */
public class ErrnoException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The class of an errno that callers commonly react to. */
  public enum Kind {
    /** ENOENT, ENODEV, ESRCH (no such route), EADDRNOTAVAIL (no such address). */
    NOT_FOUND,
    /** EEXIST. */
    EXISTS,
    /** EPERM, EACCES. */
    PERMISSION,
    /** EBUSY. */
    BUSY,
    /** Anything else. */
    OTHER
  }

  private final String operation;
  private final int errno;

  /** An errno for {@code operation}; the message is {@code "<operation>: <errno text>"}. */
  public ErrnoException(String operation, int errno) {
    this(operation, errno, null);
  }

  /** An errno with extra text after the errno text, e.g. an extended-ack message or what was found instead. */
  public ErrnoException(String operation, int errno, String extra) {
    super(operation + ": " + goText(errno) + (extra == null || extra.isEmpty() ? "" : ": " + extra));
    this.operation = operation;
    this.errno = errno;
  }

  /** The operation that failed, e.g. {@code "create veth eth0"} or {@code "setns /var/run/netns/x"}. */
  public String operation() {
    return operation;
  }

  /** The positive errno value. */
  public int errno() {
    return errno;
  }

  /** The errno's symbolic name, e.g. {@code "EEXIST"}. */
  public String errnoName() {
    return Kernel.errnoName(errno);
  }

  /** What went wrong without the operation, e.g. {@code "file exists"}; suits Go-style {@code "...: %v"} texts. */
  public String reason() {
    String m = getMessage();
    return m.substring(operation.length() + 2);
  }

  /** The class of the errno. */
  public Kind kind() {
    switch (errno) {
      case Kernel.ENOENT:
      case Kernel.ENODEV:
      case Kernel.ESRCH:
      case Kernel.EADDRNOTAVAIL:
        return Kind.NOT_FOUND;
      case Kernel.EEXIST:
        return Kind.EXISTS;
      case Kernel.EPERM:
      case Kernel.EACCES:
        return Kind.PERMISSION;
      case Kernel.EBUSY:
        return Kind.BUSY;
      default:
        return Kind.OTHER;
    }
  }

  /** Wraps the errno JNA captured right after a failed call. */
  static ErrnoException of(String operation, com.sun.jna.LastErrorException e) {
    ErrnoException x = new ErrnoException(operation, e.getErrorCode());
    x.initCause(e);
    return x;
  }

  /** Go's {@code syscall.Errno.Error()} text: glibc's strerror with a lower-case first letter. */
  static String goText(int errno) {
    String s = Kernel.strerror(errno);
    return Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
