package io.jcni.demo.podman;

import io.jcni.libcni.testing.RequiresCapabilities;
import java.nio.file.Path;
import org.junit.jupiter.api.Disabled;

/**
 * Podman (CNI backend) with jcni's shims as its plugin directory, {@code JCNI_PLUGIN_DIR}: a directory written by
 * {@code jcni install-plugins} holding every type the network uses (bridge, host-local, portmap, firewall, tuning),
 * with the {@code jcni serve} daemon running.
 */
@Disabled("needs jcni serve and its shims (issue 15): enable with a @BeforeAll that installs the shims into a "
    + "directory of the test's own and starts the daemon, and a matching @AfterAll")
@RequiresCapabilities
class PodmanShimsTest extends PodmanNetworkingContract {
  @Override
  Path pluginDir() {
    String dir = System.getenv("JCNI_PLUGIN_DIR");
    if (dir == null || dir.isEmpty()) {
      throw new IllegalStateException("JCNI_PLUGIN_DIR names no shim directory");
    }
    return Path.of(dir);
  }
}
