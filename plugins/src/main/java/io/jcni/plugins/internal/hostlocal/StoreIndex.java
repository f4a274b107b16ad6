package io.jcni.plugins.internal.hostlocal;

import io.jcni.plugins.internal.linux.DirectoryWatch;
import io.jcni.plugins.internal.linux.SmallFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * This JVM's copy of one host-local store directory: every file's trimmed text by name, as Go's walk would read
 * them. Upstream reads every file of the store on every ADD (the duplicate-allocation check) and DEL (release by
 * owner), so the cost of an operation grows with the number of attachments; this copy is brought up to date from
 * the kernel's change events for the directory ({@link DirectoryWatch}) and re-reads only the files that changed —
 * whoever changed them, Go plugins included, since every writer holds the store lock while it writes and the
 * events are queued before it lets go.
 *
 * <p>Where no watch is possible (not a local filesystem, inotify limits) every call reads the whole directory, as
 * before. Callers hold the store lock, so that no other process changes the directory while it is read.
 */
final class StoreIndex {
  private final Path dir;
  private final SortedMap<String, String> files = new TreeMap<>();
  private final SortedMap<String, String> view = Collections.unmodifiableSortedMap(files);
  /** The names of {@link #files} by their text, so that finding an owner's files does not walk every file. */
  private final Map<String, SortedSet<String>> byText = new HashMap<>();
  private DirectoryWatch watch;
  private boolean watchable = true;

  StoreIndex(Path dir) {
    this.dir = dir;
  }

  /**
   * Every regular file of the store with its trimmed UTF-8 text (files that are not UTF-8 are left out, as upstream
   * skips them), in name order: a read-only view, valid until the next call.
   *
   * @throws IOException if the directory cannot be read
   */
  synchronized SortedMap<String, String> current() throws IOException {
    if (watch != null) {
      Optional<Set<String>> changed = watch.drain();
      if (changed.isPresent()) {
        try {
          reread(changed.get());
          return view;
        } catch (IOException | RuntimeException e) {
          // the drained names are gone with the failure: only a whole read knows the store now
          watch.close();
          watch = null;
          throw e;
        }
      }
      watch.close();
      watch = null;
    }
    DirectoryWatch fresh = null;
    if (watchable) {
      // Watch first, then read: a change made between the two shows up in the next drain instead of being missed.
      fresh = DirectoryWatch.open(dir).orElse(null);
      watchable = fresh != null;
    }
    Map<String, byte[]> read;
    try {
      read = SmallFiles.readAll(dir);
    } catch (IOException | RuntimeException e) {
      if (fresh != null) {
        fresh.close(); // a watch is kept only with the whole store read
      }
      throw e;
    }
    files.clear();
    byText.clear();
    put(read);
    watch = fresh;
    return view;
  }

  /**
   * The names of the files whose trimmed text is {@code text}, in name order, as of the last {@link #current()}: a
   * read-only view, valid until the next call of either.
   */
  synchronized SortedSet<String> namesWith(String text) {
    SortedSet<String> names = byText.get(text);
    return names == null ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(names);
  }

  private void reread(Set<String> names) throws IOException {
    if (names.isEmpty()) {
      return;
    }
    for (String name : names) {
      String old = files.remove(name);
      if (old != null) {
        SortedSet<String> same = byText.get(old);
        same.remove(name);
        if (same.isEmpty()) {
          byText.remove(old);
        }
      }
    }
    put(SmallFiles.read(dir, names));
  }

  private void put(Map<String, byte[]> read) {
    read.forEach((name, bytes) -> {
      String text = utf8(bytes);
      if (text != null) {
        String trimmed = Store.goTrimSpace(text);
        files.put(name, trimmed);
        byText.computeIfAbsent(trimmed, t -> new TreeSet<>()).add(name);
      }
    });
  }

  /** The bytes as UTF-8, or null when they are not. */
  private static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
