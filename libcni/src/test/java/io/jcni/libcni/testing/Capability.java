package io.jcni.libcni.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/** A Linux capability a privileged test needs, by its bit in {@code CapEff} (linux/capability.h). */
public enum Capability {
  NET_ADMIN(12),
  NET_RAW(13),
  SYS_ADMIN(21);

  private final int bit;

  Capability(int bit) {
    this.bit = bit;
  }

  /** The name the kernel and capsh use, e.g. {@code CAP_NET_ADMIN}. */
  public String kernelName() {
    return "CAP_" + name();
  }

  /** The capabilities this process holds now, from the {@code CapEff} line of {@code /proc/self/status}. */
  public static Set<Capability> effective() {
    return effective(status());
  }

  /** The capabilities in the {@code CapEff} line of a {@code /proc/<pid>/status} text; none if it has no such line. */
  static Set<Capability> effective(String status) {
    Set<Capability> held = EnumSet.noneOf(Capability.class);
    for (String line : status.split("\n")) {
      if (line.startsWith("CapEff:")) {
        long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
        for (Capability c : values()) {
          if ((mask & (1L << c.bit)) != 0) {
            held.add(c);
          }
        }
      }
    }
    return held;
  }

  private static String status() {
    try {
      return Files.readString(Path.of("/proc/self/status"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
