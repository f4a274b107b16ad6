package io.jcni.libcni.internal.invoke;

import io.jcni.libcni.invoke.PluginInvoker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.version.PluginInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VERSION: the request sent, old plugins; the real Go plugins as oracle (decoding is in PluginInfoTest). */
class VersionInfoTest {
  @TempDir Path tmp;

  private Path script(String name, String body) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, "#!/usr/bin/env bash\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private PluginInvoker execIn(Path dir) {
    return new ExecInvoker(List.of(dir.toString()), new RawExec());
  }

  @Test
  void noopReportsItsVersions() throws Exception {
    PluginInfo info = VersionInfo.getVersionInfo(execIn(TestBin.dir()), "noop");
    assertEquals("1.1.0", info.cniVersion());
    assertEquals(List.of("0.-42.0", "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"),
        info.supportedVersions());
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/loopback")
  void goPluginReportsItsVersions() throws Exception {
    PluginInfo info = VersionInfo.getVersionInfo(execIn(Path.of("/usr/lib/cni")), "loopback");
    assertTrue(info.supportedVersions().contains("0.1.0"), info.toString());
    assertTrue(info.supportedVersions().contains("1.0.0"), info.toString());
  }

  @Test
  void sendsDummyEnvironmentAndCurrentVersion() throws Exception {
    Path envOut = tmp.resolve("env");
    script("probe", "env | grep '^CNI_' | sort > " + envOut + "; cat > " + envOut + ".stdin\n"
        + "echo '{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"1.1.0\"]}'\n");
    VersionInfo.getVersionInfo(execIn(tmp), "probe");
    assertEquals(List.of("CNI_ARGS=", "CNI_COMMAND=VERSION", "CNI_CONTAINERID=", "CNI_IFNAME=dummy",
        "CNI_NETNS=dummy", "CNI_PATH=dummy"), Files.readAllLines(envOut));
    assertEquals("{\"cniVersion\":\"1.1.0\"}", Files.readString(Path.of(envOut + ".stdin")));
  }

  @Test
  void pluginPredatingVersionSupports010() throws Exception {
    script("old", "cat >/dev/null; echo '{\"code\":4,\"msg\":\"unknown CNI_COMMAND: VERSION\"}'; exit 1\n");
    PluginInfo info = VersionInfo.getVersionInfo(execIn(tmp), "old");
    assertEquals(List.of("0.1.0"), info.supportedVersions());
    assertEquals("1.1.0", info.cniVersion());
  }

  @Test
  void otherErrorsPassThrough() throws Exception {
    script("bad", "cat >/dev/null; echo '{\"code\":4,\"msg\":\"unknown CNI_COMMAND: VERSION\",\"details\":\"x\"}';"
        + " exit 1\n");
    CniException e = assertThrows(CniException.class, () -> VersionInfo.getVersionInfo(execIn(tmp), "bad"));
    assertEquals("unknown CNI_COMMAND: VERSION; x", e.getMessage());
    assertEquals("failed to find plugin \"nope\" in path [" + tmp + "]",
        assertThrows(CniException.class, () -> VersionInfo.getVersionInfo(execIn(tmp), "nope")).getMessage());
  }
}
