package io.jcni.plugins.linux;

import com.sun.jna.LastErrorException;

/**
 * A procfs instance of the caller's own, mounted nowhere ({@code fsopen("proc")} and {@code fsmount}), through
 * which {@code sys/net} is looked up without walking the node's namespaces.
 *
 * <p>Why: the kernel keeps one dentry per network namespace for {@code /proc/sys/net}, all under the same parent
 * and name in the one dcache of {@code /proc}, and checks each against the looking-up thread's namespace under a
 * global lock ({@code proc_sys_compare}), so every lookup there costs more with every namespace that has been
 * looked up through {@code /proc} and still exists. A fresh instance has its own dcache, in which the lookup finds
 * only the caller's entry. Which namespace {@code sys/net} belongs to is still decided by the looking-up thread, as
 * in {@code /proc}.
 *
 * <p>When the kernel refuses a new instance (no mount API, no {@code CAP_SYS_ADMIN}, a procfs that is not fully
 * visible in a user namespace) or it has no {@code sys/net}, the caller falls back to {@code /proc}; the refusal is
 * remembered for the process.
 */
final class PrivateProc {
  private static volatile boolean refused;

  private PrivateProc() {}

  /**
   * Opens {@code sys/net} of a new procfs instance, looked up in the calling thread's network namespace; returns
   * -1 when that cannot be done. The descriptor keeps the instance alive until it is closed.
   */
  static int openSysNet() {
    if (refused) {
      return -1;
    }
    int fs;
    int mnt;
    try {
      fs = (int) LibC.syscall(Kernel.SYS_FSOPEN, "proc", Kernel.FSOPEN_CLOEXEC);
    } catch (LastErrorException e) {
      refused = true;
      return -1;
    }
    try {
      LibC.syscall(Kernel.SYS_FSCONFIG, fs, Kernel.FSCONFIG_CMD_CREATE, null, null, 0);
      mnt = (int) LibC.syscall(Kernel.SYS_FSMOUNT, fs, Kernel.FSMOUNT_CLOEXEC,
          Kernel.MOUNT_ATTR_NOSUID | Kernel.MOUNT_ATTR_NODEV | Kernel.MOUNT_ATTR_NOEXEC);
    } catch (LastErrorException e) {
      refused = true;
      return -1;
    } finally {
      NetNs.closeQuietly(fs);
    }
    try {
      return LibC.openat(mnt, "sys/net", Kernel.O_RDONLY | Kernel.O_DIRECTORY | Kernel.O_CLOEXEC, 0);
    } catch (LastErrorException e) {
      refused = true; // no sysctls in procfs: /proc reports that under the path Go's messages name
      return -1;
    } finally {
      NetNs.closeQuietly(mnt);
    }
  }
}
