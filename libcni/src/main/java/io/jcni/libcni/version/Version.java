package io.jcni.libcni.version;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/**
 * A CNI specification version such as {@code 1.1.0}, compared numerically part by part.
 *
 * <p>Parsing follows Go's {@code version.ParseVersion}: the empty string means {@code 0.1.0}, one to three integer
 * parts are accepted with missing parts read as 0, and four or more parts are an error. Parts may be signed, as
 * Go's {@code strconv.Atoi} allows (the upstream test plugin advertises {@code "0.-42.0"}).
 */
public record Version(int major, int minor, int patch) implements Comparable<Version> {

  /**
   * Parses {@code version} with Go's rules and error texts.
   *
   * @throws CniException code {@link ErrorCode#INCOMPATIBLE_CNI_VERSION}, e.g. {@code invalid version "1.2.3.4":
   *     too many parts} or {@code failed to convert micro version part "f": strconv.Atoi: parsing "f": invalid
   *     syntax}
   */
  public static Version parse(String version) throws CniException {
    if (version == null || version.isEmpty()) {
      return new Version(0, 1, 0);
    }
    String[] parts = version.split("\\.", -1);
    if (parts.length >= 4) {
      throw error("invalid version \"" + version + "\": too many parts");
    }
    int major = part("major", parts[0]);
    int minor = parts.length >= 2 ? part("minor", parts[1]) : 0;
    int patch = parts.length >= 3 ? part("micro", parts[2]) : 0;
    return new Version(major, minor, patch);
  }

  private static int part(String which, String text) throws CniException {
    String prefix = "failed to convert " + which + " version part \"" + text + "\": strconv.Atoi: parsing \""
        + text + "\": ";
    String digits = text.startsWith("+") || text.startsWith("-") ? text.substring(1) : text;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw error(prefix + "invalid syntax");
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      // Go's int is 64-bit; a version part beyond 32 bits is nonsense either way.
      throw error(prefix + "value out of range");
    }
  }

  private static CniException error(String msg) {
    return new CniException(ErrorCode.INCOMPATIBLE_CNI_VERSION, msg);
  }

  /** Whether {@code a} parses to a version greater than or equal to {@code b}, as Go's GreaterThanOrEqualTo. */
  public static boolean atLeast(String a, String b) throws CniException {
    return parse(a).compareTo(parse(b)) >= 0;
  }

  /** Whether {@code a} parses to a version strictly greater than {@code b}, as Go's GreaterThan. */
  public static boolean greaterThan(String a, String b) throws CniException {
    return parse(a).compareTo(parse(b)) > 0;
  }

  /** Whether this version is greater than or equal to {@code other}. */
  public boolean isAtLeast(Version other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(Version o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(patch, o.patch);
  }

  /** The canonical {@code major.minor.patch} text. */
  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
