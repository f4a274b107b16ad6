package io.jcni.plugins.internal.firewall;

import io.jcni.plugins.internal.linux.NetNs;
import static io.jcni.plugins.internal.firewall.FirewallRig.JSON;
import static io.jcni.plugins.internal.firewall.FirewallRig.NO_DELEGATION;
import static io.jcni.plugins.internal.firewall.FirewallRig.args;
import static io.jcni.plugins.internal.firewall.FirewallRig.conf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configuration, backend choice and error texts of the firewall plugin; nothing here touches a firewall. */
class FirewallConfTest {
  /** A prevResult without addresses: ADD has no rule to write, so no iptables program runs. */
  private static final String NO_IPS = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"cni0\"}]}";

  private static FirewallPlugin plugin(boolean firewalldRunning) {
    return new FirewallPlugin((NetNs) null, () -> firewalldRunning);
  }

  @Test
  void registeredAsAService() {
    assertInstanceOf(FirewallPlugin.class, PluginRegistry.discover().lookup("firewall").orElseThrow());
    assertEquals(List.of("0.4.0", "1.0.0", "1.1.0"), plugin(false).supportedVersions());
  }

  @Test
  void defaults() throws Exception {
    FirewallConf c = FirewallConf.parse(conf("", null).getBytes());
    assertEquals("CNI-ADMIN", c.adminChain());
    assertEquals("trusted", c.firewalldZone());
    assertEquals(IngressPolicy.OPEN, IngressPolicy.parse(c.ingressPolicyText()));
    FirewallConf d = FirewallConf.parse(conf("\"IPTABLESADMINCHAINNAME\":\"X\",\"firewalldZone\":\"z\"", null)
        .getBytes());
    assertEquals("X", d.adminChain());
    assertEquals("z", d.firewalldZone());
  }

  @Test
  void badTypeIsAGoDecodingError() {
    CniException e = assertThrows(CniException.class,
        () -> FirewallConf.parse(conf("\"backend\":7", null).getBytes()));
    assertEquals(ErrorCode.DECODING_FAILURE, e.errorCode());
    assertTrue(e.msg().startsWith("failed to load netconf: json: cannot unmarshal number into Go struct field"
        + " FirewallNetConf.backend of type string"), e.msg());
  }

  @Test
  void firewalldRequestedIsRefusedClearly() throws Exception {
    JsonNode prev = JSON.readTree(NO_IPS);
    for (String command : List.of("ADD", "CHECK", "DEL")) {
      CniException e = assertThrows(CniException.class,
          () -> run(plugin(false), command, conf("\"backend\":\"firewalld\"", prev)));
      assertEquals(ErrorCode.UNSUPPORTED_FIELD, e.errorCode());
      assertTrue(e.msg().startsWith("firewall backend \"firewalld\" (zone \"trusted\") cannot be served in-process"),
          e.msg());
    }
  }

  /** Like upstream, no backend (or an unknown one) means firewalld when it runs, which cannot be served here. */
  @Test
  void firewalldDetectedIsRefusedUnlessIptablesIsAsked() throws Exception {
    JsonNode prev = JSON.readTree(NO_IPS);
    for (String backend : List.of("", "\"backend\":\"nftables\"")) {
      CniException e = assertThrows(CniException.class, () -> run(plugin(true), "ADD", conf(backend, prev)));
      assertEquals(ErrorCode.UNSUPPORTED_FIELD, e.errorCode());
      assertTrue(e.msg().startsWith("firewalld is running, so the firewall plugin would use its firewalld backend"),
          e.msg());
    }
    byte[] out = plugin(true).add(args("/x", conf("\"backend\":\"iptables\"", prev)), NO_DELEGATION);
    assertEquals(prev, JSON.readTree(out));
    out = plugin(false).add(args("/x", conf("", prev)), NO_DELEGATION);
    assertEquals(prev, JSON.readTree(out));
  }

  /** The result is the prevResult in the configuration's version. */
  @Test
  void resultInTheConfigVersion() throws Exception {
    String conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"firewall\",\"prevResult\":"
        + "{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"cni0\"}]}}";
    JsonNode out = JSON.readTree(plugin(false).add(args("/x", conf), NO_DELEGATION));
    assertEquals("0.4.0", out.path("cniVersion").asText());
    assertEquals("cni0", out.path("interfaces").get(0).path("name").asText());
  }

  /** Through Skel, as an executable: the same error JSON as the Go binary for an ADD without prevResult. */
  @RequiresExecutable(FirewallRig.GO_DIR + "/firewall")
  @Test
  void skelAddWithoutPrevResultAsGo() throws Exception {
    String conf = conf("", null);
    java.util.Map<String, String> env = java.util.Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1",
        "CNI_NETNS", "/x", "CNI_IFNAME", "eth0", "CNI_PATH", FirewallRig.GO_DIR);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int rc = io.jcni.plugins.skel.Skel.run(plugin(false), env,
        new java.io.ByteArrayInputStream(conf.getBytes()), out, java.io.OutputStream.nullOutputStream());
    assertEquals(1, rc);
    io.jcni.libcni.testing.GoPlugin.Run go = io.jcni.libcni.testing.GoPlugin.of("firewall").runWithOnly(env,
        conf.getBytes());
    JsonNode goOut = go.json();
    assertEquals(1, go.exit());
    assertEquals(goOut, JSON.readTree(out.toByteArray()));
  }

  private static void run(FirewallPlugin p, String command, String conf) throws CniException {
    switch (command) {
      case "ADD" -> p.add(args("/x", conf), NO_DELEGATION);
      case "CHECK" -> p.check(args("/x", conf), NO_DELEGATION);
      default -> p.del(args("", conf), NO_DELEGATION);
    }
  }
}
