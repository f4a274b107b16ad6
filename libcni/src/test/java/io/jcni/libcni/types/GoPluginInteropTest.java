package io.jcni.libcni.types;

import static io.jcni.libcni.types.Json.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
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
class GoPluginInteropTest {
  private static final Path HOST_LOCAL = Path.of("/usr/lib/cni/host-local");

  @TempDir Path tmp;

  @BeforeAll
  static void needsPlugin() {
    assumeTrue(Files.isExecutable(HOST_LOCAL), "containernetworking-plugins not installed");
  }

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
    ProcessBuilder pb = new ProcessBuilder(HOST_LOCAL.toString());
    pb.environment().putAll(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "jt-interop", "CNI_NETNS",
        "/var/run/netns/jt-none", "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni"));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(conf.getBytes(StandardCharsets.UTF_8));
    }
    byte[] out;
    try (InputStream is = p.getInputStream()) {
      ByteArrayOutputStream bo = new ByteArrayOutputStream();
      is.transferTo(bo);
      out = bo.toByteArray();
    }
    assertEquals(0, p.waitFor(), () -> "host-local failed: " + new String(outOrEmpty(p), StandardCharsets.UTF_8));
    return out;
  }

  private static byte[] outOrEmpty(Process p) {
    try {
      return p.getInputStream().readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
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
