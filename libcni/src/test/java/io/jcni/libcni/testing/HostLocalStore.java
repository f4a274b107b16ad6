package io.jcni.libcni.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The on-disk store of the host-local IPAM plugin as tests read it back: one directory per network holding a file
 * per reserved address, plus its {@code lock} and {@code last_reserved_ip.N} bookkeeping files.
 */
public final class HostLocalStore {
  private HostLocalStore() {}

  /** The addresses reserved in {@code networkDir} (its file names but the bookkeeping ones), sorted; empty if none. */
  public static List<String> reserved(Path networkDir) throws IOException {
    if (!Files.isDirectory(networkDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(networkDir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip")).sorted().toList();
    }
  }
}
