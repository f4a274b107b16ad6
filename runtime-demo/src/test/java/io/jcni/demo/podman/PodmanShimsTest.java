package io.jcni.demo.podman;

import io.jcni.demo.serve.ServeFixture;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Podman (CNI backend) with jcni's shims as its plugin directory: {@code jcni install-plugins --socket} output for
 * every in-process type, and a {@code jcni serve} daemon in the namespace Podman runs in. No {@code JCNI_SOCKET} in
 * Podman's environment: the shims find the daemon through the socket recorded beside them, as they must when
 * conmon's {@code podman container cleanup} runs them with a minimal environment.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/bin/podman", "/usr/bin/runc"})
class PodmanShimsTest extends PodmanNetworkingContract {
  private Path dir;
  private ServeFixture serve;

  @Override
  Path pluginDir() {
    return dir.resolve("serve").resolve("bin");
  }

  @BeforeAll
  @Override
  void startPodman() throws Exception {
    dir = Files.createTempDirectory("jt-podman-shims-");
    // Podman checks that its plugin directory exists on every command, the image import included; the shims go in
    // once the host namespace the daemon runs in exists.
    Files.createDirectories(pluginDir());
    podman = PodmanHarness.start(dir.resolve("podman"), pluginDir());
    serve = new ServeFixture(dir.resolve("serve"), podman.host()).start();
  }

  @AfterAll
  @Override
  void stopPodman() throws Exception {
    // Podman first: removing its containers DELs through the shims, so the daemon must still answer.
    try {
      if (podman != null) {
        podman.close();
      }
    } finally {
      if (serve != null) {
        serve.close();
      }
      if (dir != null) {
        try (var s = Files.walk(dir)) {
          for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }
}
