package io.jcni.plugins.internal.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process tuning plugin against the Debian Go plugin: the same link and sysctl state after ADD (iproute2's
 * JSON and the sysctl files as oracle), the same backup file, the same result, and each one's DEL restoring what the
 * other changed.
 */
@RequiresCapabilities
@RequiresExecutable(GoPlugin.DIR + "/tuning")
class TuningGoEquivalenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PluginContext NO_DELEGATION = (c, t, a) -> {
    throw new CniException(999, "unexpected delegation to " + t);
  };
  private static final String PREV = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\","
      + "\"mac\":\"02:00:00:00:00:01\",\"sandbox\":\"/var/run/netns/x\"}],"
      + "\"ips\":[{\"interface\":0,\"address\":\"10.1.0.2/24\"}]}";

  @TempDir Path tmp;
  private TestNetns goNs;
  private TestNetns ourNs;
  private final TuningPlugin plugin = new TuningPlugin(Path.of("/nonexistent/allowlist.conf"));

  /** Debian's Go tuning plugin; its stdout, or the CNI error it printed. */
  private static byte[] goTuning(Command command, CmdArgs args) throws CniException {
    return GoPlugin.of("tuning").run(command, args).orThrow();
  }

  @BeforeEach
  void setUp() throws Exception {
    goNs = TestNetns.create("tun-go");
    ourNs = TestNetns.create("tun-j");
    for (TestNetns ns : List.of(goNs, ourNs)) {
      ns.ip("link", "add", "eth0", "address", "02:00:00:00:00:01", "type", "veth", "peer", "name", "peer0");
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (TestNetns ns : new TestNetns[] {goNs, ourNs}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  private String conf(Path dataDir, String settings) {
    return "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"tuning\",\"dataDir\":\"" + dataDir + "\","
        + settings + ",\"prevResult\":" + PREV + "}";
  }

  private static CmdArgs args(TestNetns ns, String conf) {
    return new CmdArgs("c1", ns.path(), "eth0", "", List.of(GoPlugin.DIR), conf.getBytes(StandardCharsets.UTF_8));
  }

  /** What tuning may change on eth0, from {@code ip -j -d link show}. */
  private static String linkState(TestNetns ns) throws Exception {
    JsonNode l = JSON.readTree(ns.ip("-j", "-d", "link", "show", "eth0")).get(0);
    return "mac=" + l.path("address").asText() + " mtu=" + l.path("mtu").asInt() + " promisc="
        + l.path("promiscuity").asInt() + " allmulti=" + l.path("allmulti").asInt() + " flags=" + l.path("flags")
        + " txqlen=" + l.path("txqlen").asInt();
  }

  private static final String SETTINGS = "\"sysctl\":{\"net.ipv4.conf.IFNAME.arp_filter\":\"1\","
      + "\"net.ipv4.conf.all.arp_ignore\":\"2\"},\"mac\":\"c2:11:22:33:44:55\",\"mtu\":1400,\"promisc\":true,"
      + "\"allmulti\":true";

  @Test
  void addLeavesTheSameStateFileAndResultAsGo() throws Exception {
    Path goDir = tmp.resolve("go");
    Path ourDir = tmp.resolve("ours");
    String before = linkState(ourNs);
    byte[] goOut = goTuning(Command.ADD, args(goNs, conf(goDir, SETTINGS)));
    byte[] ours = plugin.add(args(ourNs, conf(ourDir, SETTINGS)), NO_DELEGATION);

    assertEquals(linkState(goNs), linkState(ourNs));
    assertTrue(linkState(ourNs).contains("mac=c2:11:22:33:44:55 mtu=1400"), linkState(ourNs));
    for (String key : List.of("ipv4/conf/eth0/arp_filter", "ipv4/conf/all/arp_ignore")) {
      assertEquals(goNs.exec("cat", "/proc/sys/net/" + key), ourNs.exec("cat", "/proc/sys/net/" + key), key);
    }
    assertEquals("1\n", ourNs.exec("cat", "/proc/sys/net/ipv4/conf/eth0/arp_filter"));
    assertEquals(Files.readString(goDir.resolve("c1_eth0.json")), Files.readString(ourDir.resolve("c1_eth0.json")));
    assertEquals("{\n \"mac\": \"02:00:00:00:00:01\",\n \"promisc\": false,\n \"mtu\": 1500,\n \"allmulti\": false\n}",
        Files.readString(ourDir.resolve("c1_eth0.json")));
    // Debian's Go prints "dns": {} and struct order; current upstream sorts and leaves out an empty dns.
    JsonNode go = JSON.readTree(goOut);
    ((com.fasterxml.jackson.databind.node.ObjectNode) go).remove("dns");
    assertEquals(go, JSON.readTree(ours));
    assertEquals("c2:11:22:33:44:55", JSON.readTree(ours).at("/interfaces/0/mac").asText());
    assertFalse(linkState(ourNs).equals(before));
  }

  @Test
  void eachDelRestoresWhatTheOtherAdded() throws Exception {
    Path dir = tmp.resolve("shared");
    String original = linkState(goNs);
    goTuning(Command.ADD, args(goNs, conf(dir, SETTINGS)));
    plugin.del(args(goNs, conf(dir, SETTINGS)), NO_DELEGATION);
    assertEquals(original, linkState(goNs));
    assertFalse(Files.exists(dir.resolve("c1_eth0.json")));

    plugin.add(args(ourNs, conf(dir, SETTINGS)), NO_DELEGATION);
    goTuning(Command.DEL, args(ourNs, conf(dir, SETTINGS)));
    assertEquals(original, linkState(ourNs));
    assertFalse(Files.exists(dir.resolve("c1_eth0.json")));
  }

  @Test
  void delTwiceAndWithoutNamespaceSucceed() throws Exception {
    Path dir = tmp.resolve("d");
    String c = conf(dir, SETTINGS);
    plugin.add(args(ourNs, c), NO_DELEGATION);
    CmdArgs gone = new CmdArgs("c1", "/var/run/netns/jt-never-made", "eth0", "", List.of(), c.getBytes());
    plugin.del(gone, NO_DELEGATION);
    plugin.del(new CmdArgs("c1", "", "eth0", "", List.of(), c.getBytes()), NO_DELEGATION);
    // As upstream: without the namespace the backup stays for a DEL that can still restore.
    assertTrue(Files.exists(dir.resolve("c1_eth0.json")));
    plugin.del(args(ourNs, c), NO_DELEGATION);
    plugin.del(args(ourNs, c), NO_DELEGATION);
    assertFalse(Files.exists(dir.resolve("c1_eth0.json")));
    assertTrue(linkState(ourNs).contains("mtu=1500"), linkState(ourNs));
  }

  @Test
  void checkPassesAfterAddAndFailsAsGoAfterAChange() throws Exception {
    // Debian's Go CHECK does not substitute IFNAME (upstream 5b7a263e does), so the Go side is checked without it.
    String c = conf(tmp.resolve("c"), SETTINGS.replace("IFNAME", "eth0"));
    goTuning(Command.ADD, args(goNs, c));
    plugin.add(args(ourNs, conf(tmp.resolve("c"), SETTINGS)), NO_DELEGATION);
    goTuning(Command.CHECK, args(goNs, c));
    plugin.check(args(ourNs, c), NO_DELEGATION);
    plugin.check(args(ourNs, conf(tmp.resolve("c"), SETTINGS)), NO_DELEGATION);

    for (TestNetns ns : List.of(goNs, ourNs)) {
      ns.ip("link", "set", "eth0", "mtu", "1300");
    }
    CniException go = assertThrows(CniException.class, () -> goTuning(Command.CHECK, args(goNs, c)));
    CniException ours = assertThrows(CniException.class, () -> plugin.check(args(ourNs, c), NO_DELEGATION));
    assertEquals("Error: Tuning configured MTU of eth0 is 1400, current value is 1300", ours.getMessage());
    assertEquals(go.getMessage(), ours.getMessage());
    assertEquals(go.code(), ours.code());

    for (TestNetns ns : List.of(goNs, ourNs)) {
      ns.ip("link", "set", "eth0", "mtu", "1400");
      ns.exec("sh", "-c", "echo 0 > /proc/sys/net/ipv4/conf/all/arp_ignore");
    }
    String sysctlOnly = conf(tmp.resolve("c"), "\"sysctl\":{\"net.ipv4.conf.all.arp_ignore\":\"2\"}");
    go = assertThrows(CniException.class, () -> goTuning(Command.CHECK, args(goNs, sysctlOnly)));
    ours = assertThrows(CniException.class, () -> plugin.check(args(ourNs, sysctlOnly), NO_DELEGATION));
    assertEquals(go.getMessage(), ours.getMessage());
  }

  @Test
  void badConfigurationsGiveGosMessages() throws Exception {
    Path dir = tmp.resolve("bad");
    for (String settings : List.of(
        "\"mtu\":\"1400\"",
        "\"promisc\":1",
        "\"sysctl\":{\"kernel.hostname\":\"x\"}",
        "\"sysctl\":{\"net.ipv4.conf.all.nope\":\"1\"}",
        "\"sysctl\":{\"net...kernel.hostname\":\"x\"}",
        "\"runtimeConfig\":{\"mac\":5}",
        "\"args\":{\"cni\":{\"mtu\":\"x\"}}")) {
      String c = conf(dir, settings);
      CniException go = assertThrows(CniException.class, () -> goTuning(Command.ADD, args(goNs, c)));
      CniException ours = assertThrows(CniException.class, () -> plugin.add(args(ourNs, c), NO_DELEGATION));
      // Upstream (fd9408bc) names the key after turning dots into slashes; Debian's 1.1.1 before.
      String expected = go.getMessage().startsWith("invalid net sysctl key")
          ? go.getMessage().replace('.', '/') : go.getMessage();
      assertEquals(expected, ours.getMessage(), settings);
    }
    String noPrev = "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"tuning\"}";
    CniException go = assertThrows(CniException.class, () -> goTuning(Command.ADD, args(goNs, noPrev)));
    CniException ours = assertThrows(CniException.class, () -> plugin.add(args(ourNs, noPrev), NO_DELEGATION));
    assertEquals(go.getMessage(), ours.getMessage());
    assertEquals(go.code(), ours.code());
    // A bad MAC: Go has already written the sysctls by then; jcni refuses before touching anything.
    String badMac = conf(dir, "\"sysctl\":{\"net.ipv4.conf.all.arp_ignore\":\"2\"},\"mac\":\"zz:11:22:33:44:55\"");
    go = assertThrows(CniException.class, () -> goTuning(Command.ADD, args(goNs, badMac)));
    ours = assertThrows(CniException.class, () -> plugin.add(args(ourNs, badMac), NO_DELEGATION));
    assertEquals(go.getMessage(), ours.getMessage());
    assertEquals("0\n", ourNs.exec("cat", "/proc/sys/net/ipv4/conf/all/arp_ignore"));
  }

  @Test
  void macFromCniArgsAndRuntimeConfigAsGo() throws Exception {
    String c = "{\"cniVersion\":\"0.4.0\",\"name\":\"t\",\"type\":\"tuning\",\"dataDir\":\"" + tmp + "\","
        + "\"runtimeConfig\":{\"mac\":\"c2:00:00:00:00:09\"},\"prevResult\":" + PREV.replace("1.0.0", "0.4.0") + "}";
    CmdArgs goArgs = new CmdArgs("c1", goNs.path(), "eth0", "IgnoreUnknown=1;MAC=c2:00:00:00:00:08", List.of(GoPlugin.DIR),
        c.getBytes(StandardCharsets.UTF_8));
    CmdArgs ourArgs = new CmdArgs("c1", ourNs.path(), "eth0", goArgs.args(), goArgs.path(), goArgs.stdinData());
    byte[] go = goTuning(Command.ADD, goArgs);
    byte[] ours = plugin.add(ourArgs, NO_DELEGATION);
    assertEquals(linkState(goNs), linkState(ourNs));
    assertTrue(linkState(ourNs).contains("c2:00:00:00:00:09"));
    assertArrayEquals(go, ours, new String(ours, StandardCharsets.UTF_8));
  }
}
