package io.jcni.plugins.bridge;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The {@code CNI_ARGS} the bridge understands: {@code MAC} and {@code IgnoreUnknown}, with Go's {@code
 * types.LoadArgs} rules (keys match a Go field name exactly, any other key is an error unless IgnoreUnknown).
 */
record MacEnvArgs(String mac) {

  static MacEnvArgs parse(String args) throws CniException {
    String mac = "";
    boolean ignoreUnknown = false;
    if (args == null || args.isEmpty()) {
      return new MacEnvArgs(mac);
    }
    List<String> unknown = new ArrayList<>();
    for (String pair : args.split(";", -1)) {
      String[] kv = pair.split("=", -1);
      if (kv.length != 2) {
        throw env("ARGS: invalid pair " + goQuote(pair));
      }
      switch (kv[0]) {
        case "MAC" -> mac = kv[1];
        case "IgnoreUnknown" -> {
          switch (kv[1].toLowerCase(Locale.ROOT)) {
            case "1", "true" -> ignoreUnknown = true;
            case "0", "false" -> ignoreUnknown = false;
            default -> throw env(
                "ARGS: error parsing value of pair " + goQuote(pair) + ": boolean unmarshal error: invalid input "
                    + kv[1].toLowerCase(Locale.ROOT));
          }
        }
        // The embedded Go struct is itself a field name, so LoadArgs finds it and then cannot decode it.
        case "CommonArgs" -> throw env(
            "ARGS: cannot unmarshal into field 'CommonArgs' - type '*types.CommonArgs' does not implement"
                + " encoding.TextUnmarshaler");
        default -> unknown.add(pair);
      }
    }
    if (!unknown.isEmpty() && !ignoreUnknown) {
      throw env("ARGS: unknown args " + unknown.stream().map(MacEnvArgs::goQuote).collect(Collectors.joining(" ", "[", "]")));
    }
    return new MacEnvArgs(mac);
  }

  private static CniException env(String msg) {
    return new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, msg);
  }

  /** Go's {@code %q} for the printable ASCII a CNI_ARGS pair normally holds. */
  static String goQuote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
