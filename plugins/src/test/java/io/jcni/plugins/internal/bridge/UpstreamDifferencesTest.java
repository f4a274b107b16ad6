package io.jcni.plugins.internal.bridge;

import static io.jcni.plugins.internal.bridge.BridgeAddDelTest.ipam;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where jcni's bridge follows current upstream (containernetworking/plugins v1.6+ and v1.7+) and so differs from
 * Debian's Go 1.1.1: veths keep the kernel's default txqueuelen (upstream PR #1100; 1.1.1 sets 0 on both ends),
 * and the container interface of an IPv6 attachment gets {@code keep_addr_on_down=1} (PR #1155; 1.1.1 leaves 0).
 * Read back with {@code ip -j -d link} and the sysctl file, for both implementations side by side.
 */
@RequiresCapabilities
class UpstreamDifferencesTest {
  static final String CONF = "{\"isGateway\":true,\"ipam\":" + ipam("10.236.0.0/24", "2001:db8:36::/64") + "}";

  /** txqueuelen of the container interface, of the host veth, and the container's keep_addr_on_down. */
  record Observed(int containerQlen, int hostQlen, String keepAddrOnDown) {}

  @Test
  @RequiresExecutable(GoEquivalenceTest.GO)
  void vethQueueLengthAndKeepAddrOnDown() throws Exception {
    try (BridgeEnv jc = BridgeEnv.create(); BridgeEnv go = BridgeEnv.twinOf(jc)) {
      TestNetns jcC = jc.container();
      TestNetns goC = go.container();
      CmdArgs jcArgs = BridgeEnv.args("diff-id", jcC.path(), "eth0", jc.conf("1.0.0", CONF));
      CmdArgs goArgs = BridgeEnv.args("diff-id", goC.path(), "eth0", go.conf("1.0.0", CONF));
      JsonNode jcResult = jc.add(jcArgs);
      JsonNode goResult = BridgeEnv.JSON.readTree(go.go(Command.ADD, goArgs));
      Observed jcni = observe(jc, jcC, jcResult);
      Observed debian = observe(go, goC, goResult);
      // The veth's default is 1000 (ether_setup), what ip link add gives without a txqueuelen.
      assertEquals(new Observed(1000, 1000, "1"), jcni);
      assertEquals(new Observed(0, 0, "0"), debian, "Debian's Go plugin changed; update the README's list");
      jc.del(jcArgs);
      go.go(Command.DEL, goArgs);
      assertEquals(List.of("lo"), BridgeEnv.linkNames(jcC));
    }
  }

  private static Observed observe(BridgeEnv env, TestNetns container, JsonNode result) throws IOException {
    String hostVeth = result.path("interfaces").get(1).path("name").asText();
    // ip -j leaves txqlen out when it is 0.
    int cont = BridgeEnv.JSON.readTree(container.ip("-j", "-d", "link", "show", "eth0")).get(0).path("txqlen")
        .asInt(0);
    int host = BridgeEnv.JSON.readTree(env.hostNs.ip("-j", "-d", "link", "show", hostVeth)).get(0)
        .path("txqlen").asInt(0);
    String keep = container.exec("cat", "/proc/sys/net/ipv6/conf/eth0/keep_addr_on_down").trim();
    return new Observed(cont, host, keep);
  }
}
