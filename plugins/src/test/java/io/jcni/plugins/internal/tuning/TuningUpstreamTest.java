package io.jcni.plugins.internal.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behaviour current upstream has and Debian's 1.1.1 lacks (so no Go oracle here; iproute2 and the files are the
 * oracle): txQLen, duplicate sysctl keys, the allowlist, IFNAME for an interface name with a dot, CNI_IFNAME with
 * a slash.
 */
class TuningUpstreamTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PluginContext NONE = (c, t, a) -> {
    throw new CniException(999, "unexpected delegation");
  };
  private static final String PREV = "{\"cniVersion\":\"1.0.0\"}";

  @TempDir Path tmp;

  private String conf(String settings) {
    return "{\"cniVersion\":\"1.1.0\",\"name\":\"t\",\"type\":\"tuning\",\"dataDir\":\"" + tmp.resolve("data")
        + "\"," + settings + ",\"prevResult\":" + PREV + "}";
  }

  private static CmdArgs args(String netns, String ifName, String conf) {
    return new CmdArgs("c1", netns, ifName, "", List.of(), conf.getBytes(StandardCharsets.UTF_8));
  }

  @RequiresCapabilities
  @Test
  void txQLenIsSetBackedUpCheckedAndRestored() throws Exception {
    try (TestNetns ns = TestNetns.create("tun-q")) {
      ns.ip("link", "add", "eth0", "type", "veth", "peer", "name", "p0");
      int before = JSON.readTree(ns.ip("-j", "link", "show", "eth0")).get(0).path("txqlen").asInt();
      String c = conf("\"txQLen\":500");
      TuningPlugin p = new TuningPlugin(tmp.resolve("none"));
      p.add(args(ns.path(), "eth0", c), NONE);
      assertEquals(500, JSON.readTree(ns.ip("-j", "link", "show", "eth0")).get(0).path("txqlen").asInt());
      assertEquals("{\n \"txQLen\": " + before + "\n}", Files.readString(tmp.resolve("data/c1_eth0.json")));
      p.check(args(ns.path(), "eth0", c), NONE);
      ns.ip("link", "set", "eth0", "txqueuelen", "600");
      assertEquals("Error: Tuning configured Transmit Queue Length of eth0 is 500, current value is 600",
          assertThrows(CniException.class, () -> p.check(args(ns.path(), "eth0", c), NONE)).getMessage());
      p.del(args(ns.path(), "eth0", c), NONE);
      assertEquals(before, JSON.readTree(ns.ip("-j", "link", "show", "eth0")).get(0).path("txqlen").asInt());
      assertFalse(Files.exists(tmp.resolve("data/c1_eth0.json")));
    }
  }

  @RequiresCapabilities
  @Test
  void ifnameWithADotStaysOneComponent() throws Exception {
    try (TestNetns ns = TestNetns.create("tun-v")) {
      ns.ip("link", "add", "eth0.100", "type", "veth", "peer", "name", "p0");
      String c = conf("\"sysctl\":{\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"}");
      TuningPlugin p = new TuningPlugin(tmp.resolve("none"));
      p.add(args(ns.path(), "eth0.100", c), NONE);
      assertEquals("1\n", ns.exec("cat", "/proc/sys/net/ipv4/conf/eth0.100/arp_filter"));
      p.check(args(ns.path(), "eth0.100", c), NONE);
    }
  }

  @Test
  void refusalsBeforeTheNamespaceIsTouched() throws Exception {
    TuningPlugin p = new TuningPlugin(tmp.resolve("none"));
    String dup = "{\"cniVersion\":\"1.1.0\",\"name\":\"t\",\"type\":\"tuning\",\"sysctl\":{\"net.a.b\":\"1\","
        + "\"net.a.b\":\"2\"},\"prevResult\":" + PREV + "}";
    assertEquals("duplicated sysctl keys are not allowed",
        assertThrows(CniException.class, () -> p.add(args("/nonexistent", "eth0", dup), NONE)).getMessage());
    assertEquals("Interface name (a/b) contains an invalid character /",
        assertThrows(CniException.class, () -> p.add(args("/nonexistent", "a/b", conf("\"mtu\":1400")), NONE))
            .getMessage());
    Path list = Files.writeString(tmp.resolve("allowlist.conf"), "^net\\.ipv4\\.conf\\.IFNAME\\.[a-z_]*$\n\n"
        + "^net\\.ipv4\\.ping_group_range$\n");
    TuningPlugin guarded = new TuningPlugin(list);
    String c = conf("\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}");
    assertEquals("Sysctl net.ipv4.ip_forward is not allowed. Only the following sysctls are allowed: "
        + "[^net\\.ipv4\\.conf\\.IFNAME\\.[a-z_]*$ ^net\\.ipv4\\.ping_group_range$]",
        assertThrows(CniException.class, () -> guarded.add(args("/nonexistent", "eth0", c), NONE)).getMessage());
    // Allowed keys get past the allowlist to the namespace.
    String ok = conf("\"sysctl\":{\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"}");
    assertEquals("failed to Statfs \"/nonexistent\": no such file or directory",
        assertThrows(CniException.class, () -> guarded.add(args("/nonexistent", "eth0", ok), NONE)).getMessage());
  }

  @Test
  void sysctlKeysStayBelowProcSysNet() throws Exception {
    assertEquals("/proc/sys/net/ipv4/conf/eth0.100/rp_filter",
        SysctlKey.resolve("net.ipv4.conf.IFNAME.rp_filter", "eth0.100").file().toString());
    for (String bad : List.of("kernel.hostname", "net", "net.", "/kernel.x")) {
      assertThrows(CniException.class, () -> SysctlKey.resolve(bad, "eth0"), bad);
    }
  }

  @Test
  void backupRoundTrips() {
    LinkBackup b = new LinkBackup("02:00:00:00:00:01", false, 1500, true, 1000);
    assertEquals(b, LinkBackup.parse(b.toJson()));
    assertEquals(null, LinkBackup.parse("not json".getBytes(StandardCharsets.UTF_8)));
  }
}
