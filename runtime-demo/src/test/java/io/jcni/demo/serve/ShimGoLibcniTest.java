package io.jcni.demo.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.testing.TestNetns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Go libcni (Debian's 1.1.2, through {@code test-bin/golibcni}) drives ADD, CHECK and DEL of a
 * bridge + host-local conflist through the shims and {@code jcni serve}, and the same through Debian's Go
 * plugins in a second host namespace: the container's addresses and routes, the bridge's address, host-local's
 * reservations and the host's NAT table must be the same, and nothing may be left after DEL.
 */
@RequiresCapabilities
@RequiresExecutable({"/usr/lib/cni/bridge", "/usr/lib/cni/host-local"})
class ShimGoLibcniTest {
  static final String NET = "jtshimgl";
  static final String ID = "shim-gl-1";
  static final Path GO_SRC = Path.of("/usr/share/gocode/src/github.com/containernetworking/cni/libcni");

  @TempDir Path tmp;

  Path buildDriver() throws Exception {
    Path go = Path.of("/usr/bin/go");
    if (!Files.isExecutable(go) || !Files.isDirectory(GO_SRC)) {
      Assumptions.assumeFalse("true".equals(System.getenv("CI")), "go or Debian's libcni is missing while CI=true");
      Assumptions.abort("go or Debian's libcni source is missing");
    }
    Path driver = tmp.resolve("golibcni");
    ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", driver.toString(), ".")
        .directory(TestBin.dir().resolve("golibcni").toFile()).redirectErrorStream(true);
    pb.environment().put("GOPATH", "/usr/share/gocode");
    pb.environment().put("GO111MODULE", "off");
    pb.environment().put("GOCACHE", tmp.resolve("gocache").toString());
    pb.environment().put("GOFLAGS", "");
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(180, TimeUnit.SECONDS), "go build did not end");
    assertEquals(0, p.exitValue(), out);
    return driver;
  }

  /** One side: a host namespace, its plugin directory, its conf, cache and IPAM directories. */
  record Side(TestNetns host, TestNetns ctr, String cniPath, Path root, String socket) {
    Path conf() {
      return root.resolve("net.d");
    }

    Path ipam() {
      return root.resolve("ipam");
    }

    void writeConf() throws Exception {
      Files.createDirectories(conf());
      Files.writeString(conf().resolve("10-" + NET + ".conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NET
          + "\",\"plugins\":[{\"type\":\"bridge\",\"bridge\":\"jtsgbr0\",\"isGateway\":true,\"ipMasq\":true,"
          + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + ipam() + "\",\"ranges\":[[{\"subnet\":"
          + "\"10.238.4.0/24\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}]}");
    }

    String golibcni(Path driver, String cmd) throws Exception {
      ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", host.name(), driver.toString(), cmd,
          root.resolve("cache").toString(), conf().toString(), NET, ctr.path(), ID, "eth0");
      pb.environment().put("CNI_PATH", cniPath);
      pb.environment().remove("CAP_ARGS");
      pb.environment().put("CNI_ARGS", "");
      if (socket != null) {
        pb.environment().put("JCNI_SOCKET", socket);
      }
      Process p = pb.start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), "golibcni " + cmd + " via " + cniPath + ": " + out + err);
      return out;
    }

    /** What the attachment leaves in the kernel and on disk, in a form both sides must share. */
    String state() throws Exception {
      List<String> s = new ArrayList<>();
      for (JsonNode l : ServeFixture.JSON.readTree(ctr.ip("-j", "addr", "show"))) {
        List<String> a = new ArrayList<>();
        // A link-local address follows the veth's random MAC; the rest must match.
        l.get("addr_info").forEach(i -> a.add(i.get("local").asText().startsWith("fe80:") ? "fe80::/64"
            : i.get("local").asText() + "/" + i.get("prefixlen").asInt()));
        s.add("ctr link " + l.get("ifname").asText() + " " + a);
      }
      s.add("ctr routes " + ctr.exec("ip", "-4", "route", "show").trim());
      s.add("bridge " + host.exec("ip", "-4", "-o", "addr", "show", "dev", "jtsgbr0").replaceAll("\\s+", " ")
          .replaceAll("^\\d+: ", "").replaceAll("valid_lft.*", "").trim());
      Path store = ipam().resolve(NET);
      if (Files.isDirectory(store)) {
        try (var files = Files.list(store)) {
          s.add("reserved " + files.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9.]+"))
              .sorted().toList());
        }
      }
      s.add(host.exec("iptables-save", "-t", "nat").replaceAll("(?m)^#.*\\n", "").replaceAll("\\[\\d+:\\d+\\]", ""));
      return String.join("\n", s);
    }
  }

  @Test
  void goLibcniThroughTheShimsLeavesWhatGoPluginsLeave() throws Exception {
    Path driver = buildDriver();
    try (ServeFixture f = new ServeFixture(tmp.resolve("serve"));
        TestNetns goHost = TestNetns.createWithLoopback("sghost");
        TestNetns goCtr = TestNetns.createWithLoopback("sgctr");
        TestNetns shimCtr = TestNetns.createWithLoopback("sgctr")) {
      f.start();
      Side shim = new Side(f.host, shimCtr, f.shims.toString(), tmp.resolve("shim"), f.socket.toString());
      Side go = new Side(goHost, goCtr, "/usr/lib/cni", tmp.resolve("go"), null);
      for (Side s : List.of(shim, go)) {
        s.writeConf();
      }
      JsonNode shimResult = ServeFixture.JSON.readTree(shim.golibcni(driver, "add"));
      JsonNode goResult = ServeFixture.JSON.readTree(go.golibcni(driver, "add"));
      assertEquals(goResult.get("ips"), shimResult.get("ips"));
      assertEquals(goResult.get("routes"), shimResult.get("routes"));
      assertEquals(go.state(), shim.state());
      assertTrue(shim.state().contains("ctr link eth0 [10.238.4.2/24, fe80::/64]"), shim.state());

      shim.golibcni(driver, "check");
      go.golibcni(driver, "check");

      shim.golibcni(driver, "del");
      go.golibcni(driver, "del");
      assertEquals(go.state(), shim.state());
      String after = shim.state();
      assertTrue(after.startsWith("ctr link lo [127.0.0.1/8, ::1/128]\nctr routes \n"), after);
      assertTrue(after.contains("reserved []"), after);
      assertTrue(!after.contains("CNI-"), after);
    }
  }
}
