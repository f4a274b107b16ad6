package io.jcni.libcni.internal.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The names of a directory between listings: brought up to date from what the watch reports (each reported name
 * looked up again, those the caller keeps), listed anew under a new watch when the watch lost track, and watched
 * only once the directory exists. The watch here is a stand-in whose reports the test chooses.
 */
class DirectoryNamesTest {
  @TempDir Path tmp;

  /** A watch that reports what the test put in {@link #next}; {@code null} there means lost track. */
  private final class Watch implements DirectoryChanges {
    Set<String> next = new HashSet<>();
    boolean closed;
    boolean fails;

    @Override
    public Optional<Set<String>> drain() {
      if (fails) {
        throw new IllegalStateException("the watch broke");
      }
      Optional<Set<String>> out = Optional.ofNullable(next).map(Set::copyOf);
      next = new HashSet<>();
      return out;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private final List<Watch> watches = new ArrayList<>();

  private DirectoryNames names(Path dir) {
    return new DirectoryNames(dir, n -> !n.startsWith("."), Optional.of(d -> {
      Watch w = new Watch();
      watches.add(w);
      return Optional.of(w);
    }));
  }

  private static List<String> sorted(List<String> names) {
    return names.stream().sorted().toList();
  }

  @Test
  void aDirectoryThatDoesNotExistYetIsWatchedOnceItDoes() throws Exception {
    Path dir = tmp.resolve("results");
    DirectoryNames names = names(dir);
    assertEquals(List.of(), names.current(n -> true));
    assertEquals(0, watches.size());
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("net-a-eth0"), "{}");
    assertEquals(List.of("net-a-eth0"), names.current(n -> true));
    assertEquals(1, watches.size());
  }

  @Test
  void betweenListingsOnlyTheReportedNamesAreLookedUp() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("results"));
    Files.writeString(dir.resolve("net-a-eth0"), "{}");
    DirectoryNames names = names(dir);
    assertEquals(List.of("net-a-eth0"), names.current(n -> true));

    Files.writeString(dir.resolve("net-b-eth0"), "{}");
    Files.writeString(dir.resolve("net-c-eth0"), "{}"); // not reported: a name the watch missed stays unseen
    Files.delete(dir.resolve("net-a-eth0"));
    watches.get(0).next = new HashSet<>(Set.of("net-a-eth0", "net-b-eth0"));
    assertEquals(List.of("net-b-eth0"), sorted(names.current(n -> true)));
    assertEquals(1, watches.size(), "no new watch, no listing");
  }

  @Test
  void aWatchThatLostTrackIsReplacedAndTheDirectoryListedAgain() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("results"));
    DirectoryNames names = names(dir);
    assertEquals(List.of(), names.current(n -> true));
    Files.writeString(dir.resolve("net-a-eth0"), "{}");
    Files.writeString(dir.resolve("net-b-eth0"), "{}");
    watches.get(0).next = null;
    assertEquals(List.of("net-a-eth0", "net-b-eth0"), sorted(names.current(n -> true)));
    assertEquals(2, watches.size());
    assertEquals(true, watches.get(0).closed);
  }

  @Test
  void namesTheCallerDoesNotKeepAreLeftOutAndOnlyTheWantedReturned() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("results"));
    Files.writeString(dir.resolve(".tmp-1"), "");
    Files.writeString(dir.resolve("net-a-eth0"), "{}");
    DirectoryNames names = names(dir);
    assertEquals(List.of("net-a-eth0"), names.current(n -> true));
    Files.writeString(dir.resolve(".tmp-2"), "");
    Files.writeString(dir.resolve("net-b-eth0"), "{}");
    watches.get(0).next = new HashSet<>(Set.of(".tmp-2", "net-b-eth0"));
    assertEquals(List.of("net-b-eth0"), names.current(n -> n.contains("-b-")));
    assertEquals(List.of("net-a-eth0", "net-b-eth0"), sorted(names.current(n -> true)));
  }

  @Test
  void aWatchThatFailsOrReportsANameThatCannotBeLookedUpIsReplacedAndTheDirectoryListedAgain() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("results"));
    DirectoryNames names = names(dir);
    assertEquals(List.of(), names.current(n -> true));
    Files.writeString(dir.resolve("net-a-eth0"), "{}");
    watches.get(0).fails = true;
    assertEquals(List.of("net-a-eth0"), names.current(n -> true));
    assertEquals(true, watches.get(0).closed);

    Files.writeString(dir.resolve("net-b-eth0"), "{}");
    watches.get(1).next = new HashSet<>(Set.of("net-b-eth0", "bad\0name")); // a name no path can hold
    assertEquals(List.of("net-a-eth0", "net-b-eth0"), sorted(names.current(n -> true)));
    assertEquals(true, watches.get(1).closed);
    assertEquals(3, watches.size());
  }

  @Test
  void aProviderThatCannotWatchMeansAListingEachTime() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("results"));
    DirectoryNames names = new DirectoryNames(dir, n -> true, Optional.of(d -> {
      throw new UnsatisfiedLinkError("no native library");
    }));
    assertEquals(List.of(), names.current(n -> true));
    Files.writeString(dir.resolve("net-a-eth0"), "{}");
    assertEquals(List.of("net-a-eth0"), names.current(n -> true));
  }

  @Test
  void withoutAWatchEveryCallLists() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("results"));
    DirectoryNames names = new DirectoryNames(dir, n -> true, Optional.empty());
    assertEquals(List.of(), names.current(n -> true));
    Files.writeString(dir.resolve("net-a-eth0"), "{}");
    assertEquals(List.of("net-a-eth0"), names.current(n -> true));
  }
}
