package io.jcni.libcni.internal.cache;

import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The names in one directory that a caller keeps track of (the result cache: its files, not its temporary ones), as
 * this JVM last saw them: listed once, then brought up to date from a
 * {@link DirectoryChanges} watch, which reports every change completed before it is asked, by any process. Every
 * ADD's duplicate-attachment check looks at every attachment on the node, so a listing per ADD cost more with each
 * attachment (getdents of the whole result cache). Where no watch is possible (no provider, a network filesystem)
 * every call lists the directory, as Go's libcni does.
 */
final class DirectoryNames {
  private static final Map<Path, DirectoryNames> SHARED = new ConcurrentHashMap<>();
  private static final Optional<DirectoryChanges.Provider> PROVIDER = provider();

  private final Path dir;
  private final Predicate<String> kept;
  private final Optional<DirectoryChanges.Provider> provider;
  private final Set<String> names = new HashSet<>();
  private DirectoryChanges watch;
  private boolean watchable = true;

  /** The names in {@code dir} that pass {@code kept}, watched through {@code provider} where it can. */
  DirectoryNames(Path dir, Predicate<String> kept, Optional<DirectoryChanges.Provider> provider) {
    this.dir = dir;
    this.kept = kept;
    this.provider = provider;
  }

  /** The watch provider on the class or module path (jcni-plugins'), if any; a broken one counts as none. */
  private static Optional<DirectoryChanges.Provider> provider() {
    try {
      return ServiceLoader.load(DirectoryChanges.Provider.class, DirectoryChanges.class.getClassLoader()).findFirst();
    } catch (ServiceConfigurationError | LinkageError e) {
      return Optional.empty();
    }
  }

  /**
   * The names of the result cache's files in {@code dir}, shared by every cache of that directory in this JVM (a
   * directory takes one watch).
   */
  static DirectoryNames results(Path dir) {
    return SHARED.computeIfAbsent(dir.toAbsolutePath().normalize(),
        d -> new DirectoryNames(d, name -> !name.startsWith(ResultCache.TEMP_PREFIX), PROVIDER));
  }

  /**
   * The names in the directory now that pass {@code wanted}, none when it does not exist.
   *
   * @throws CniException code 5 when the directory exists but cannot be listed
   */
  synchronized List<String> current(Predicate<String> wanted) throws CniException {
    refresh();
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (wanted.test(name)) {
        out.add(name);
      }
    }
    return out;
  }

  /** Whether the names are kept up to date by a watch now, rather than listed on each call. */
  synchronized boolean watched() {
    return watch != null;
  }

  private void refresh() throws CniException {
    if (watch != null && caughtUp()) {
      return;
    }
    DirectoryChanges fresh = null;
    if (watchable && provider.isPresent() && Files.isDirectory(dir)) {
      // Watch first, then list: a change made between the two shows up in the next drain instead of being missed.
      try {
        fresh = provider.get().watch(dir).orElse(null);
      } catch (IOException | RuntimeException | LinkageError e) {
        fresh = null; // the listing reports a directory that is really unusable; no watch library: list each time
      }
      watchable = fresh != null;
    }
    Set<String> listed = new HashSet<>();
    try {
      for (String name : list(dir)) {
        if (kept.test(name)) {
          listed.add(name);
        }
      }
    } catch (CniException | RuntimeException e) {
      if (fresh != null) {
        fresh.close(); // without its listing the watch's events mean nothing: the next call starts over
      }
      throw e;
    }
    names.clear();
    names.addAll(listed);
    watch = fresh;
  }

  /**
   * Brings {@link #names} up to date from the watch's events; false, with the watch closed, where it lost track or
   * an event's name cannot be looked up (e.g. a name the JVM's file name encoding cannot express), and the
   * directory must be listed again.
   */
  private boolean caughtUp() {
    try {
      Optional<Set<String>> changed = watch.drain();
      if (changed.isPresent()) {
        for (String name : changed.get()) {
          if (!kept.test(name)) {
            continue;
          }
          if (Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
            names.add(name);
          } else {
            names.remove(name);
          }
        }
        return true;
      }
    } catch (RuntimeException e) {
      // the events drained are gone with it: only a new listing knows the names now
    }
    watch.close();
    watch = null;
    return false;
  }

  /**
   * The names in {@code dir}, none when it does not exist; as strings from {@link java.io.File#list()}
   * ({@code Files.list} made two paths per entry); NIO is asked only to say why a listing failed.
   */
  private static String[] list(Path dir) throws CniException {
    String[] names = dir.toFile().list();
    if (names != null) {
      return names;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).toArray(String[]::new);
    } catch (NoSuchFileException e) {
      return new String[0];
    } catch (IOException e) {
      throw ResultCache.ioFailure("failed to list cache directory " + dir, e);
    }
  }
}
