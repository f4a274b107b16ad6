package io.jcni.plugins.hostlocal;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** PLACEHOLDER until io.jcni.libcni.types.CniArgs is merged: host-local's CNI_ARGS (IP, IgnoreUnknown). */
final class EnvArgs {
  private EnvArgs() {}

  static InetAddress requestedIp(String args) throws CniException {
    if (args == null || args.isEmpty()) {
      return null;
    }
    String ip = null;
    String ipPair = null;
    boolean ignoreUnknown = false;
    List<String> unknown = new ArrayList<>();
    for (String pair : args.split(";", -1)) {
      String[] kv = pair.split("=", -1);
      if (kv.length != 2) {
        throw new CniException(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, "ARGS: invalid pair \"" + pair + "\"");
      }
      switch (kv[0]) {
        case "IP" -> {
          ip = kv[1];
          ipPair = pair;
        }
        case "IgnoreUnknown" -> ignoreUnknown = Set.contains(kv[1].toLowerCase(Locale.ROOT));
        default -> unknown.add(pair);
      }
    }
    if (!unknown.isEmpty() && !ignoreUnknown) {
      throw new CniException(
          ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "ARGS: unknown args " + unknown.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(" ", "[", "]")));
    }
    if (ip == null) {
      return null;
    }
    InetAddress a = IpamConfig.parseIpOrCidr(ip);
    if (a == null) {
      throw new CniException(
          ErrorCode.INVALID_ENVIRONMENT_VARIABLES,
          "ARGS: error parsing value of pair \"" + ipPair + "\": invalid IP address " + ip);
    }
    return a;
  }

  private static final class Set {
    static boolean contains(String v) {
      return v.equals("1") || v.equals("true");
    }
  }
}
