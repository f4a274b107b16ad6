package io.jcni.libcni.runtime;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Watches a configuration directory (and its per-network plugin folders) and calls back once the directory has
 * been quiet for the debounce period after a change, so that an installer writing several files, or one file in
 * several writes, causes one reload and not a reload of a half-written file.
 *
 * <p>The directory need not exist, and may be deleted, replaced or renamed away at any time: the watch then
 * reports the change (the reload finds no networks) and waits for a directory to be back at the path, which it
 * notices within {@link #PRESENCE_CHECK}, then watches that one.
 */
final class ConfWatcher implements AutoCloseable {
  /**
   * How often the path is checked for a directory appearing, disappearing or being swapped. Polling rather than
   * watching the nearest existing parent: a directory appears rarely (at installation), half a second is soon
   * enough for it, a stat twice a second costs nothing, and a poll survives any part of the path coming and going
   * where a parent watch would itself have to be moved up and down the path (and would wake on every unrelated
   * change in a busy parent such as {@code /etc}).
   */
  static final Duration PRESENCE_CHECK = Duration.ofMillis(500);

  private static final System.Logger LOG = System.getLogger(ConfWatcher.class.getName());

  private final Path dir;
  private final Duration debounce;
  private final Runnable onChange;
  private final WatchService service;
  private final Thread thread;
  // Touched by the constructor before the thread starts, then by the watch thread only.
  private final List<WatchKey> keys = new ArrayList<>();
  private WatchKey dirKey;
  private Object watchedId;

  ConfWatcher(Path dir, Duration debounce, Runnable onChange) throws CniException {
    this.dir = dir;
    this.debounce = debounce;
    this.onChange = onChange;
    try {
      this.service = dir.getFileSystem().newWatchService();
      arm();
    } catch (IOException e) {
      throw new CniException(ErrorCode.IO_FAILURE, "cannot watch " + dir + ": " + e.getMessage(), "", e);
    }
    this.thread = new Thread(this::loop, "jcni-confwatch-" + dir.getFileName());
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Watches the directory now at the path (and its plugin folders) in place of whatever was watched before; with
   * no directory there, watches nothing until one appears.
   */
  private void arm() throws IOException {
    keys.forEach(WatchKey::cancel);
    keys.clear();
    dirKey = null;
    watchedId = identity();
    if (watchedId == null) {
      return;
    }
    try {
      dirKey = register(dir);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            register(p);
          }
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      watchedId = null; // gone again while being armed: the next presence check sees it
    }
  }

  /** The identity (device and inode) of the directory at the path, or null when there is none. */
  private Object identity() {
    try {
      BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class);
      return a.isDirectory() ? Objects.requireNonNullElse(a.fileKey(), dir) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Whether the path no longer holds the directory being watched: deleted, swapped, renamed, or now present. */
  private boolean swapped() {
    return !Objects.equals(identity(), watchedId) || (dirKey != null && !dirKey.isValid());
  }

  private WatchKey register(Path p) throws IOException {
    WatchKey k = p.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
        StandardWatchEventKinds.ENTRY_MODIFY);
    keys.add(k);
    return k;
  }

  private void loop() {
    while (true) {
      try {
        awaitChangeAndReload();
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return; // close() ends the watch
      } catch (RuntimeException e) {
        // The watch outlives any one failure; the next round starts from a fresh presence check.
        LOG.log(System.Logger.Level.WARNING, "watching " + dir + " failed", e);
      }
    }
  }

  /** Waits for an event or a swap of the directory, lets things settle, re-arms if needed, and reloads. */
  private void awaitChangeAndReload() throws InterruptedException {
    WatchKey key = service.poll(PRESENCE_CHECK.toNanos(), TimeUnit.NANOSECONDS);
    if (key != null) {
      drain(key);
    } else if (!swapped()) {
      return;
    }
    // Quiet period: every further event restarts it.
    WatchKey more;
    while ((more = service.poll(debounce.toNanos(), TimeUnit.NANOSECONDS)) != null) {
      drain(more);
    }
    if (swapped()) {
      rearm();
    }
    try {
      onChange.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "reloading " + dir + " failed", e);
    }
  }

  private void rearm() {
    try {
      arm();
    } catch (IOException e) {
      // e.g. the inotify limit: retried at the next presence check, which still sees the path as swapped
      watchedId = null;
      LOG.log(System.Logger.Level.WARNING, "cannot watch " + dir + ": " + e.getMessage());
    }
  }

  private void drain(WatchKey key) {
    Path base = (Path) key.watchable();
    for (WatchEvent<?> ev : key.pollEvents()) {
      if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && key == dirKey) {
        Path created = base.resolve((Path) ev.context());
        if (Files.isDirectory(created, LinkOption.NOFOLLOW_LINKS)) {
          try {
            register(created); // a new plugin folder <dir>/<network>/
          } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch " + created + ": " + e.getMessage());
          }
        }
      }
    }
    if (!key.reset()) {
      keys.remove(key); // its directory is gone; for the configuration directory itself swapped() now holds
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException ignored) {
      // nothing to release beyond the inotify descriptor, which close always drops
    }
    if (Thread.currentThread() != thread) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
