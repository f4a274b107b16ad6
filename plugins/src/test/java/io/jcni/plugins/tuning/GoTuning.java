package io.jcni.plugins.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** Runs the Debian Go plugin {@code /usr/lib/cni/<type>} as a runtime would; a failure becomes its CniException. */
final class GoTuning {
  static final String DIR = "/usr/lib/cni";
  private static final ObjectMapper JSON = new ObjectMapper();

  private GoTuning() {}

  static byte[] run(String type, Command command, CmdArgs args) throws CniException, IOException {
    ProcessBuilder pb = new ProcessBuilder(DIR + "/" + type);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("CNI_"));
    env.putAll(args.toEnv(command));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(args.stdinData());
    }
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (p.waitFor() != 0) {
        JsonNode n = JSON.readTree(out);
        throw new CniException(n.path("code").asInt(), n.path("msg").asText());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return out;
  }
}
