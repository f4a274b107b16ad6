package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;

/**
 * A procfs instance of this process's own, mounted nowhere ({@code fsopen("proc")} and {@code fsmount}), through
 * which {@code sys/net} is looked up without walking every namespace of the node.
 *
 * <p>Why: the kernel keeps one dentry per network namespace for {@code /proc/sys/net}, all under the same parent
 * and name in the one dcache of {@code /proc}, and checks each against the looking-up thread's namespace under a
 * global lock ({@code proc_sys_compare}); an entry goes only when its namespace does. So in {@code /proc} every
 * lookup costs more with every live namespace that has been looked up there (2.2 ms of CPU at 2000 pods). An
 * instance has a dcache of its own, holding only the namespaces looked up through it. Making one costs about as
 * much as a lookup among 150 namespaces, so an instance serves {@link #LOOKUPS_PER_INSTANCE} lookups and is then
 * replaced. Which namespace {@code sys/net} belongs to is decided by the looking-up thread, as in {@code /proc}.
 *
 * <p>When the kernel refuses an instance (no mount API, no {@code CAP_SYS_ADMIN}, a procfs that is not fully
 * visible in a user namespace) or it has no {@code sys/net}, the caller falls back to {@code /proc}; the refusal is
 * remembered for the process.
 */
final class PrivateProc {
  /** How many lookups one instance serves: its chain of entries stays this short, its cost is shared this widely. */
  static final int LOOKUPS_PER_INSTANCE = 32;

  private static boolean refused; // guarded by PrivateProc.class
  private static int mount = -1; // guarded by PrivateProc.class
  private static int lookups; // guarded by PrivateProc.class

  private PrivateProc() {}

  /**
   * Opens {@code sys/net} of a private procfs instance, looked up in the calling thread's network namespace;
   * returns -1 when that cannot be done. The descriptor keeps its instance alive until it is closed.
   */
  static synchronized int openSysNet() {
    if (refused) {
      return -1;
    }
    if (mount < 0 || lookups >= LOOKUPS_PER_INSTANCE) {
      if (mount >= 0) {
        NetNs.closeQuietly(mount); // what was opened through it keeps it alive until closed
      }
      mount = newInstance();
      lookups = 0;
      if (mount < 0) {
        refused = true;
        return -1;
      }
    }
    lookups++;
    try {
      return LibC.openat(mount, "sys/net", Kernel.O_RDONLY | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      // no sysctls in this procfs: /proc reports that, under the path Go's messages name
      refused = true;
      NetNs.closeQuietly(mount);
      mount = -1;
      return -1;
    }
  }

  /** A new instance's root, or -1 when the kernel refuses one. */
  private static int newInstance() {
    int fs;
    try {
      fs = (int) LibC.syscall(Kernel.SYS_FSOPEN, "proc", Kernel.FSOPEN_CLOEXEC);
    } catch (LastErrorException e) {
      return -1;
    }
    try {
      LibC.syscall(Kernel.SYS_FSCONFIG, fs, Kernel.FSCONFIG_CMD_CREATE, null, null, 0);
      return (int) LibC.syscall(Kernel.SYS_FSMOUNT, fs, Kernel.FSMOUNT_CLOEXEC,
          Kernel.MOUNT_ATTR_NOSUID | Kernel.MOUNT_ATTR_NODEV | Kernel.MOUNT_ATTR_NOEXEC);
    } catch (LastErrorException e) {
      return -1;
    } finally {
      NetNs.closeQuietly(fs);
    }
  }
}
