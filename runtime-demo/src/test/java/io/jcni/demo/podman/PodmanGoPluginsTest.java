package io.jcni.demo.podman;

import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import java.nio.file.Path;

/** Podman (CNI backend) with Debian's Go plugins from {@code /usr/lib/cni}: the reference the shims must match. */
@RequiresCapabilities
@RequiresExecutable({"/usr/bin/podman", "/usr/bin/runc", "/usr/bin/conmon", "/bin/busybox", "/usr/bin/jq",
    "/usr/bin/nsenter", "/usr/lib/cni/bridge", "/usr/lib/cni/host-local", "/usr/lib/cni/portmap",
    "/usr/lib/cni/firewall", "/usr/lib/cni/tuning"})
class PodmanGoPluginsTest extends PodmanNetworkingContract {
  @Override
  Path pluginDir() {
    return Path.of("/usr/lib/cni");
  }
}
