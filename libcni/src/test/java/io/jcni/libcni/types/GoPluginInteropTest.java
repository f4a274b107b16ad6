package io.jcni.libcni.types;

import static io.jcni.libcni.types.Json.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresExecutable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compares jcni's result model with the real Go host-local plugin (Debian's containernetworking-plugins, which
 * vendors libcni 1.1.x). host-local ADD only writes files in its dataDir, so this needs no privileges.
 *
 * <p>The Go plugin builds a 1.0.0 result and converts it with Go's own converters to the config's version, so its
 * output per version is an independent oracle for both our conversions and our 0.x JSON bytes.
 */
@RequiresExecutable("/usr/lib/cni/host-local")
class GoPluginInteropTest {
  @TempDir Path tmp;

  /** Runs host-local ADD for {@code version} with a fresh store, so every version gets the same addresses. */
  private byte[] goAdd(String version) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "store");
    Path resolv = tmp.resolve("resolv.conf");
    Files.writeString(resolv, "nameserver 192.0.2.53\nsearch example.test\noptions ndots:2\ndomain example.test\n");
    String conf = """
        {"cniVersion":"%s","name":"jt-interop","type":"host-local",
         "ipam":{"type":"host-local","dataDir":"%s","resolvConf":"%s",
                 "ranges":[[{"subnet":"10.222.7.0/24"}],[{"subnet":"2001:db8:7::/64"}]],
                 "routes":[{"dst":"0.0.0.0/0"},{"dst":"198.51.100.0/24","gw":"10.222.7.254"},{"dst":"::/0"}]}}
        """.formatted(version, dir, resolv);
    GoPlugin.Run run = GoPlugin.of("host-local")
        .run(GoPlugin.env(Command.ADD, "jt-interop", "/var/run/netns/jt-none", "eth0", ""), conf);
    assertEquals(0, run.exit(), () -> "host-local failed: " + run.out() + run.stderr());
    return run.stdout();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0"})
  void zeroXOutputIsByteIdenticalAfterARoundTrip(String version) throws Exception {
    byte[] go = goAdd(version);
    Result r = Results.parse(go);
    assertEquals(version, r.cniVersion());
    assertEquals(str(go), str(r.toPrettyJson()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0"})
  void ourConversionOfTheGo100ResultMatchesGosConversion(String version) throws Exception {
    Result current = Results.parse(goAdd("1.0.0"));
    assertInstanceOf(Result100.class, current);
    assertEquals(str(goAdd(version)), str(current.convertTo(version).toPrettyJson()));
  }

  @Test
  void oneXOutputParsesToTheSameContent() throws Exception {
    byte[] go = goAdd("1.0.0");
    Result100 r = (Result100) Results.parse(go);
    assertEquals(List.of("10.222.7.2/24", "2001:db8:7::2/64"),
        r.ips().stream().map(ip -> ip.address().toString()).toList());
    assertEquals(List.of("192.0.2.53"), r.dns().nameservers());
    // Same members and values; Go 1.1.x prints struct order and dns always, libcni >= 1.2 sorts keys.
    Json.assertMatches(str(go), r.toJson());
  }
}
