package io.jcni.libcni.version;

import java.util.List;

/** The CNI specification versions this library knows, as Go's {@code version.Current}, {@code All} and {@code Legacy}. */
public final class Versions {
  /** The newest specification version, {@code 1.1.0}; what a VERSION query sends and what new results carry. */
  public static final String CURRENT = "1.1.0";

  /** Every specification version with a result format, oldest first. */
  public static final List<String> ALL =
      List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

  /** The pre-0.3 versions, whose results use the {@code ip4}/{@code ip6} shape. */
  public static final List<String> LEGACY = List.of("0.1.0", "0.2.0");

  private Versions() {}

  /** The versions of {@link #ALL} from {@code min} on, as Go's {@code VersionsStartingFrom}; empty if unknown. */
  public static List<String> startingFrom(String min) {
    int i = ALL.indexOf(min);
    return i < 0 ? List.of() : ALL.subList(i, ALL.size());
  }
}
