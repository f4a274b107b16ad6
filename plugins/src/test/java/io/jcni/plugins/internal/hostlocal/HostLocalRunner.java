package io.jcni.plugins.internal.hostlocal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs one host-local command either through Go's binary ({@code /usr/lib/cni/host-local}, exec'd with the CNI
 * environment) or through {@link HostLocalPlugin} in process, and reports the outcome in one shape so tests can
 * compare the two.
 */
abstract class HostLocalRunner {
  static final String GO_BINARY = "/usr/lib/cni/host-local";
  static final ObjectMapper JSON = new ObjectMapper();

  /** What a command printed: the result (ok) or the error's code and message. */
  record Outcome(boolean ok, JsonNode json) {
    int code() {
      return json.path("code").asInt();
    }

    String msg() {
      return json.path("msg").asText();
    }

    @Override
    public String toString() {
      return (ok ? "ok " : "error ") + json;
    }
  }

  abstract Outcome run(Command cmd, String containerId, String ifname, String cniArgs, String stdin);

  Outcome add(String id, String ifname, String stdin) {
    return run(Command.ADD, id, ifname, "", stdin);
  }

  Outcome del(String id, String ifname, String stdin) {
    return run(Command.DEL, id, ifname, "", stdin);
  }

  /** Go's binary, exec'd through {@link GoPlugin}. */
  static final HostLocalRunner GO =
      new HostLocalRunner() {
        @Override
        Outcome run(Command cmd, String containerId, String ifname, String cniArgs, String stdin) {
          GoPlugin.Run run = GoPlugin.of("host-local")
              .run(GoPlugin.env(cmd, containerId, "/var/run/netns/jt-not-needed", ifname, cniArgs), stdin);
          return new Outcome(run.ok(), run.json());
        }
      };

  static HostLocalRunner jcni(HostLocalPlugin plugin) {
    return new HostLocalRunner() {
      @Override
      Outcome run(Command cmd, String containerId, String ifname, String cniArgs, String stdin) {
        CmdArgs a =
            new CmdArgs(containerId, "/var/run/netns/jt-not-needed", ifname, cniArgs, List.of("/usr/lib/cni"),
                stdin.getBytes(StandardCharsets.UTF_8));
        try {
          switch (cmd) {
            case ADD:
              return new Outcome(true, JSON.readTree(plugin.add(a, null)));
            case DEL:
              plugin.del(a, null);
              break;
            case CHECK:
              plugin.check(a, null);
              break;
            case GC:
              plugin.gc(a, null);
              break;
            case STATUS:
              plugin.status(a, null);
              break;
            default:
              throw new IllegalArgumentException(cmd.name());
          }
          return new Outcome(true, JSON.createObjectNode());
        } catch (CniException e) {
          return new Outcome(false, e.toJson());
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }
    };
  }

  static final HostLocalRunner JCNI = jcni(new HostLocalPlugin());

  /** jcni's plugin behind {@link io.jcni.plugins.skel.Skel}, in process: same env and stdin as the Go binary. */
  static final HostLocalRunner JCNI_SKEL =
      new HostLocalRunner() {
        @Override
        Outcome run(Command cmd, String containerId, String ifname, String cniArgs, String stdin) {
          Map<String, String> env =
              Map.of("CNI_COMMAND", cmd.name(), "CNI_CONTAINERID", containerId, "CNI_NETNS",
                  "/var/run/netns/jt-not-needed", "CNI_IFNAME", ifname, "CNI_ARGS", cniArgs, "CNI_PATH",
                  "/usr/lib/cni");
          java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
          int rc = io.jcni.plugins.skel.Skel.run(new HostLocalPlugin(), env,
              new java.io.ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out,
              java.io.OutputStream.nullOutputStream());
          try {
            byte[] b = out.toByteArray();
            return new Outcome(rc == 0, b.length == 0 ? JSON.createObjectNode() : JSON.readTree(b));
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        }
      };
}
