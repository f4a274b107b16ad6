package io.jcni.plugins.hostlocal;

import com.google.common.net.InetAddresses;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.net.InetAddress;

/** PLACEHOLDER until io.jcni.libcni.types.Ips is merged (same API). */
final class Ips {
  private Ips() {}

  static String format(InetAddress ip) {
    return InetAddresses.toAddrString(ip);
  }

  static InetAddress parse(String s) throws CniException {
    InetAddress ip = tryParse(s);
    if (ip == null) {
      throw new CniException(ErrorCode.DECODING_FAILURE, "invalid IP address: " + s);
    }
    return ip;
  }

  static InetAddress tryParse(String s) {
    if (s == null || s.isBlank() || s.indexOf('%') >= 0) {
      return null;
    }
    try {
      return InetAddresses.forString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
