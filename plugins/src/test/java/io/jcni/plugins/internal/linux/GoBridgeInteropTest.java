package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.net.InetAddresses;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.IpNet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Reads back, through this package, the topology the real Go bridge plugin ({@code /usr/lib/cni/bridge}) builds:
 * what the in-process bridge's CHECK and DEL will have to recognise. The Go plugin runs inside a throw-away "host"
 * namespace ({@code ip netns exec}), the container is another throw-away namespace.
 */
class GoBridgeInteropTest {

  private static JsonNode runPlugin(String hostNs, Command command, String netns, Path dataDir) {
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"jt-net\",\"type\":\"bridge\",\"bridge\":\"jt-cni0\","
        + "\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.238.0.0/24\",\"dataDir\":\""
        + dataDir + "\"}}";
    GoPlugin.Run run = GoPlugin.of("bridge").in(hostNs)
        .run(GoPlugin.env(command, "jt-interop", netns, "eth0", ""), conf);
    assertEquals(0, run.exit(), command + " failed: " + run.out() + run.stderr());
    return run.json();
  }

  @Test
  @RequiresCapabilities
  @RequiresExecutable("/usr/lib/cni/bridge")
  void whatGoBridgeBuildsReadsBackConsistently() throws Exception {
    Path dataDir = Files.createTempDirectory("jt-ipam");
    try (TestNetns host = TestNetns.create("gohost"); TestNetns ctr = TestNetns.create("goctr");
        NetNs hostNs = NetNs.open(Path.of(host.path())); NetNs ctrNs = NetNs.open(Path.of(ctr.path()));
        RtNetlink hostRt = RtNetlink.open(hostNs); RtNetlink ctrRt = RtNetlink.open(ctrNs)) {
      JsonNode result = runPlugin(host.name(), Command.ADD, ctr.path(), dataDir);
      JsonNode ifs = result.path("interfaces");

      Link br = hostRt.link("jt-cni0");
      assertTrue(br.isBridge());
      assertEquals(ifs.get(0).path("mac").asText(), br.mac());
      Link hostVeth = hostRt.link(ifs.get(1).path("name").asText());
      Link eth0 = ctrRt.link("eth0");
      assertTrue(hostVeth.isVeth() && eth0.isVeth());
      assertEquals(ifs.get(1).path("mac").asText(), hostVeth.mac());
      assertEquals(ifs.get(2).path("mac").asText(), eth0.mac());
      assertEquals(br.index(), hostVeth.masterIndex());
      assertEquals(eth0.index(), hostVeth.peerIndex());
      assertEquals(hostVeth.index(), eth0.peerIndex());
      assertTrue(eth0.up() && hostVeth.up());
      assertEquals(OperState.UP, hostRt.waitOperUp(hostVeth.name(), java.util.List.of(java.time.Duration.ZERO,
          java.time.Duration.ofMillis(500))).operState());

      IpNet ip = IpNet.parse(result.path("ips").get(0).path("address").asText());
      assertTrue(ctrRt.addresses(eth0.index(), Family.IPV4).stream().anyMatch(a -> a.prefix().equals(ip)));
      IpNet gw = IpNet.of(InetAddresses.forString(result.path("ips").get(0).path("gateway").asText()),
          ip.prefixLength());
      assertTrue(hostRt.addresses("jt-cni0", Family.IPV4).stream().anyMatch(a -> a.prefix().equals(gw)));
      assertTrue(ctrRt.routes(Family.IPV4, Route.TABLE_MAIN).stream()
          .anyMatch(r -> r.dst().equals(ip.network()) && r.oif() == eth0.index()));
      assertEquals("0", Sysctl.read(hostNs, "net/ipv6/conf/" + hostVeth.name() + "/accept_ra"));
      assertEquals("1", Sysctl.read(hostNs, "net.ipv4.ip_forward"));
      BridgePort port = hostRt.bridgePort(hostVeth.name()).orElseThrow();
      assertEquals(br.index(), port.masterIndex());

      runPlugin(host.name(), Command.DEL, ctr.path(), dataDir);
      assertTrue(ctrRt.findLink("eth0").isEmpty());
      assertTrue(hostRt.findLink(hostVeth.name()).isEmpty());
    } finally {
      try (Stream<Path> s = Files.walk(dataDir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
