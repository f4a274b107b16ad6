package io.jcni.plugins.internal.firewall;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The firewalld backend, which jcni cannot serve in process: upstream talks to firewalld over D-Bus, and jcni has
 * no D-Bus client. This class tells whether firewalld runs (upstream's choice of backend when none is configured)
 * and builds the error that says so.
 */
final class Firewalld {
  private Firewalld() {}

  /**
   * Whether a firewalld process is visible in {@code /proc}: upstream asks D-Bus for the owner of
   * {@code org.fedoraproject.FirewallD1}; without D-Bus, the daemon's process name is the nearest evidence.
   */
  static boolean isRunning() {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p.getFileName()))) {
      for (Path p : procs) {
        try {
          String comm = new String(Files.readAllBytes(p.resolve("comm")), StandardCharsets.UTF_8).strip();
          if (comm.equals("firewalld")) {
            return true;
          }
        } catch (IOException e) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private static boolean isPid(Path name) {
    String s = name.toString();
    return !s.isEmpty() && s.chars().allMatch(Character::isDigit);
  }

  /** The error for a configuration that asks for the firewalld backend. */
  static CniException requested(String zone) {
    return new CniException(ErrorCode.UNSUPPORTED_FIELD,
        "firewall backend \"firewalld\" (zone \"" + zone + "\") cannot be served in-process: jcni has no D-Bus"
            + " client; the firewall plugin binary can serve it, or set \"backend\": \"iptables\"");
  }

  /** The error for a configuration without a backend on a host where firewalld runs. */
  static CniException detected(String zone) {
    return new CniException(ErrorCode.UNSUPPORTED_FIELD,
        "firewalld is running, so the firewall plugin would use its firewalld backend (zone \"" + zone + "\"),"
            + " which cannot be served in-process: jcni has no D-Bus client; the firewall plugin binary can serve"
            + " it, or set \"backend\": \"iptables\"");
  }
}
