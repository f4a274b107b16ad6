package io.jcni.plugins.internal.attach;

import io.jcni.plugins.internal.linux.NetNs;
import io.jcni.plugins.internal.linux.Sysctl;
import java.io.IOException;
import java.util.Set;

/**
 * The sysctl tree of the namespace this process runs in, opened once and kept for every later operation. Looking up
 * {@code /proc/sys/net} walks a kernel chain with one entry per namespace on the node, so opening it per ADD cost
 * more with every pod (1.8 ms of CPU per pod at 2000 pods). Kept per namespace identity: should the process's namespace be
 * another one, a tree is opened for that one (the old tree stays open, as other operations may still use it).
 * The cached namespace is held open, so that its inode number, the identity compared, cannot pass to a new
 * namespace while the tree is cached (the kernel reuses the numbers of freed namespaces).
 */
final class OwnSysctl {
  private static long inode = -1; // guarded by OwnSysctl.class
  private static Sysctl tree; // guarded by OwnSysctl.class
  private static NetNs held; // guarded by OwnSysctl.class; never closed, like the trees

  private OwnSysctl() {}

  /**
   * The tree of {@code own}, the calling thread's namespace (only {@code tops} opened); never to be closed by the
   * caller.
   */
  static synchronized Sysctl of(NetNs own, Set<String> tops) throws IOException {
    long ino = own.inode();
    if (tree == null || ino != inode) {
      NetNs hold = NetNs.current();
      if (hold.inode() != ino) {
        hold.close();
        throw new IOException("the namespace of the calling thread is not " + own);
      }
      tree = Sysctl.openHere(own, tops);
      held = hold;
      inode = ino;
    }
    return tree;
  }
}
