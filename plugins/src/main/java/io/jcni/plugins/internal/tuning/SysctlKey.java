package io.jcni.plugins.internal.tuning;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A sysctl named in the tuning configuration, resolved to its file below {@code /proc/sys/net}: dots become
 * slashes, then the first {@code IFNAME} becomes CNI_IFNAME (so an interface name with a dot, such as a VLAN
 * {@code eth0.100}, stays one component), and the cleaned path must stay inside {@code /proc/sys/net/}.
 *
 * @param key the key as configured, e.g. {@code net.ipv4.conf.IFNAME.arp_filter}
 * @param file the resolved file, e.g. {@code /proc/sys/net/ipv4/conf/eth0/arp_filter}
 */
record SysctlKey(String key, Path file) {
  private static final Path PROC_SYS = Path.of("/proc/sys");
  private static final String NET = "/proc/sys/net/";

  /** Resolves {@code key} for interface {@code ifName}. */
  static SysctlKey resolve(String key, String ifName) throws CniException {
    String rel = key.replace('.', '/').replaceFirst("IFNAME", java.util.regex.Matcher.quoteReplacement(ifName));
    // Path.normalize() removes ".." like Go's filepath.Clean, so "net/../kernel" is refused below.
    // Joined as text, as Go's filepath.Join does: a leading slash in rel does not make it absolute.
    Path file;
    try {
      file = Path.of("/proc/sys/" + rel).normalize();
    } catch (InvalidPathException e) {
      file = null;
    }
    if (file == null || !file.toString().startsWith(NET)) {
      throw new CniException(ErrorCode.INTERNAL, "invalid net sysctl key: " + GoJson.quote(rel));
    }
    return new SysctlKey(key, file);
  }

  /** The key in the {@code net/...} form {@link io.jcni.plugins.internal.linux.Sysctl} takes. */
  String netPath() {
    return PROC_SYS.relativize(file).toString();
  }
}
