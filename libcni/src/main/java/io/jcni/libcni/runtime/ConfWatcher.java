package io.jcni.libcni.runtime;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Watches a configuration directory (and its per-network plugin folders) and calls back once the directory has
 * been quiet for the debounce period after a change, so that an installer writing several files, or one file in
 * several writes, causes one reload and not a reload of a half-written file.
 */
final class ConfWatcher implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ConfWatcher.class.getName());

  private final Path dir;
  private final Duration debounce;
  private final Runnable onChange;
  private final WatchService service;
  private final Thread thread;

  ConfWatcher(Path dir, Duration debounce, Runnable onChange) throws CniException {
    this.dir = dir;
    this.debounce = debounce;
    this.onChange = onChange;
    try {
      this.service = dir.getFileSystem().newWatchService();
      register(dir);
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            register(p);
          }
        }
      }
    } catch (IOException e) {
      throw new CniException(ErrorCode.IO_FAILURE, "cannot watch " + dir + ": " + e.getMessage(), "", e);
    }
    this.thread = new Thread(this::loop, "jcni-confwatch-" + dir.getFileName());
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void register(Path p) throws IOException {
    p.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
        StandardWatchEventKinds.ENTRY_MODIFY);
  }

  private void loop() {
    try {
      while (true) {
        drain(service.take());
        // Quiet period: every further event restarts it.
        WatchKey more;
        while ((more = service.poll(debounce.toNanos(), TimeUnit.NANOSECONDS)) != null) {
          drain(more);
        }
        try {
          onChange.run();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "reloading " + dir + " failed", e);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // close() ends the watch
    }
  }

  private void drain(WatchKey key) {
    Path base = (Path) key.watchable();
    for (WatchEvent<?> ev : key.pollEvents()) {
      if (ev.kind() == StandardWatchEventKinds.ENTRY_CREATE && base.equals(dir)) {
        Path created = dir.resolve((Path) ev.context());
        if (Files.isDirectory(created, LinkOption.NOFOLLOW_LINKS)) {
          try {
            register(created); // a new plugin folder <dir>/<network>/
          } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot watch " + created + ": " + e.getMessage());
          }
        }
      }
    }
    key.reset();
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
