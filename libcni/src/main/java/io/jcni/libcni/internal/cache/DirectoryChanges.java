package io.jcni.libcni.internal.cache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A watch on the entries of one directory: the names created, removed or renamed there since the last
 * {@link #drain()}, whoever changed them. libcni has no way to watch a directory itself; jcni's plugins module
 * provides one over inotify ({@link Provider}, found with {@link java.util.ServiceLoader}).
 */
public interface DirectoryChanges extends AutoCloseable {

  /**
   * The names whose entries changed since the last call, every change that completed before this call included;
   * empty when the watch lost track (its queue overflowed, the directory was removed or moved, or its path leads
   * to another directory now, e.g. one mounted over it) and the directory must be read again under a new watch.
   */
  Optional<Set<String>> drain();

  /** Stops watching. */
  @Override
  void close();

  /** Starts watches ({@link java.util.ServiceLoader} service). */
  interface Provider {
    /**
     * Starts watching {@code dir}; empty where no watch can see every change to it (e.g. a network filesystem, or
     * a directory this JVM watches already).
     *
     * @throws IOException if the directory cannot be opened
     */
    Optional<DirectoryChanges> watch(Path dir) throws IOException;
  }
}
