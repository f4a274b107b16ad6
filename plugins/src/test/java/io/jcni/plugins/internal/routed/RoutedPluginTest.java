package io.jcni.plugins.internal.routed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.attach.AttachEnv;
import io.jcni.plugins.internal.linux.NetNs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code jcni-routed} in a throw-away "node" namespace: the kernel state after ADD read back with {@code ip -j} and
 * the sysctl files, TCP between two pods of the node, CHECK noticing a removed host route, DEL leaving nothing (also
 * with the pod's namespace gone).
 */
@RequiresCapabilities
class RoutedPluginTest {
  private static final String DUAL = "{\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"ranges\":"
      + "[[{\"subnet\":\"10.250.0.0/24\"}],[{\"subnet\":\"2001:db8:250::/64\"}]]}}";
  private static final String V4 = "{\"mtu\":1400,\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.251.0.0/24\"}}";

  /** Calico's name, computed here independently: prefix + 11 hex of sha1(containerId.ifName). */
  private static String expectedHostName(String prefix, String cid, String ifName) throws Exception {
    byte[] h = MessageDigest.getInstance("SHA-1").digest((cid + "." + ifName).getBytes(StandardCharsets.UTF_8));
    return prefix + HexFormat.of().formatHex(h).substring(0, 15 - prefix.length());
  }

  /** A node has an uplink with a default route; proxy ARP answers only for destinations the node can route. */
  private static void uplink(TestNetns node) throws Exception {
    // a veth pair stands in for the uplink (no dummy driver everywhere)
    node.ip("link", "add", "up0", "type", "veth", "peer", "name", "up1");
    node.ip("link", "set", "up1", "up");
    node.ip("addr", "add", "192.0.2.1/24", "dev", "up0");
    node.ip("link", "set", "up0", "up");
    node.ip("route", "add", "default", "via", "192.0.2.254");
  }

  @Test
  void addLeavesTheRoutedAttachmentInTheKernel() throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      RoutedPlugin plugin = new RoutedPlugin(env.host);
      TestNetns pod = env.container();
      String conf = env.conf("jcni-routed", "1.0.0", DUAL);
      JsonNode result = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("pod-a", pod.path(), "eth0", conf), env));
      String cali = expectedHostName("cali", "pod-a", "eth0");

      JsonNode hostLink = AttachEnv.ipJson(env.hostNs, "-d", "link", "show", "dev", cali).get(0);
      assertEquals("ee:ee:ee:ee:ee:ee", hostLink.path("address").asText());
      assertEquals("veth", hostLink.path("linkinfo").path("info_kind").asText());
      List<String> hostGlobal = new ArrayList<>();
      AttachEnv.ipJson(env.hostNs, "addr", "show", "dev", cali).get(0).path("addr_info").forEach(a -> {
        if (!a.path("scope").asText().equals("link")) {
          hostGlobal.add(a.path("local").asText());
        }
      });
      assertEquals(List.of(), hostGlobal, "the host end has no address of its own");

      List<String> podAddrs = new ArrayList<>();
      AttachEnv.ipJson(pod, "addr", "show", "dev", "eth0").get(0).path("addr_info").forEach(a -> {
        if (a.path("scope").asText().equals("global")) {
          podAddrs.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
        }
      });
      assertEquals(List.of("10.250.0.2/32", "2001:db8:250::2/128"), podAddrs);

      String r4 = AttachEnv.ipJson(pod, "-4", "route", "show").toString();
      assertTrue(r4.contains("{\"dst\":\"default\",\"gateway\":\"169.254.1.1\",\"dev\":\"eth0\",\"flags\":[]}"), r4);
      assertTrue(r4.contains("{\"dst\":\"169.254.1.1\",\"dev\":\"eth0\",\"scope\":\"link\",\"flags\":[]}"), r4);
      String r6 = AttachEnv.ipJson(pod, "-6", "route", "show", "default").toString();
      assertTrue(r6.contains("\"gateway\":\"fe80::ecee:eeff:feee:eeee\",\"dev\":\"eth0\""), r6);

      String h4 = AttachEnv.ipJson(env.hostNs, "-4", "route", "show", "10.250.0.2").toString();
      assertEquals("[{\"dst\":\"10.250.0.2\",\"dev\":\"" + cali + "\",\"scope\":\"link\",\"flags\":[]}]", h4);
      String h6 = AttachEnv.ipJson(env.hostNs, "-6", "route", "show", "2001:db8:250::2").toString();
      assertTrue(h6.contains("\"dst\":\"2001:db8:250::2\",\"dev\":\"" + cali + "\""), h6);

      assertEquals("1", AttachEnv.sysctl(env.hostNs, "net/ipv4/conf/" + cali + "/proxy_arp"));
      assertEquals("0", AttachEnv.sysctl(env.hostNs, "net/ipv4/neigh/" + cali + "/proxy_delay"));
      assertEquals("1", AttachEnv.sysctl(env.hostNs, "net/ipv4/conf/" + cali + "/forwarding"));
      assertEquals("1", AttachEnv.sysctl(env.hostNs, "net/ipv6/conf/" + cali + "/proxy_ndp"));
      assertEquals("1", AttachEnv.sysctl(env.hostNs, "net/ipv6/conf/" + cali + "/forwarding"));
      assertEquals("1", AttachEnv.sysctl(env.hostNs, "net/ipv4/ip_forward"));
      String nat = AttachEnv.nat(env.hostNs, false);
      assertTrue(nat.contains("-A POSTROUTING -s 10.250.0.2/32"), nat);
      assertTrue(nat.contains("-d 10.250.0.0/24"), "the pod network keeps its source: " + nat);
      assertEquals(cali, result.path("interfaces").get(0).path("name").asText());

      CmdArgs att = AttachEnv.args("pod-a", pod.path(), "eth0", AttachEnv.withPrev(conf, result));
      plugin.check(att, env);
      plugin.del(att, env);
      assertNothingLeft(env, pod);
    }
  }

  @Test
  void twoPodsOnANodeTalkTcpOverIpv4AndIpv6() throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      uplink(env.hostNs);
      RoutedPlugin plugin = new RoutedPlugin(env.host);
      String conf = env.conf("jcni-routed", "1.0.0", DUAL);
      TestNetns a = env.container();
      TestNetns b = env.container();
      JsonNode ra = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("pod-a", a.path(), "eth0", conf), env));
      JsonNode rb = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("pod-b", b.path(), "eth0", conf), env));
      for (JsonNode ip : rb.path("ips")) {
        String addr = ip.path("address").asText().split("/")[0];
        assertEquals("pong " + addr, exchange(b, a, addr), "TCP to " + addr);
      }
      plugin.del(AttachEnv.args("pod-a", a.path(), "eth0", AttachEnv.withPrev(conf, ra)), env);
      plugin.del(AttachEnv.args("pod-b", b.path(), "eth0", AttachEnv.withPrev(conf, rb)), env);
      assertEquals(List.of("lo"), AttachEnv.linkNames(a));
      assertEquals(List.of("lo", "up1", "up0"), AttachEnv.linkNames(env.hostNs));
    }
  }

  /** A line from {@code client} to a listener in {@code server} at {@code ip}, answered with "pong <ip>". */
  private static String exchange(TestNetns server, TestNetns client, String ip) throws Exception {
    try (NetNs s = NetNs.open(Path.of(server.path())); NetNs c = NetNs.open(Path.of(client.path()));
        // the wildcard: the pod's IPv6 address may still be in DAD, which a bind to it would refuse
        ServerSocket listener = s.runIn(() -> new ServerSocket(0, 1))) {
      listener.setSoTimeout(10_000);
      CompletableFuture<Void> serve = CompletableFuture.runAsync(() -> {
        try (Socket conn = listener.accept()) {
          BufferedReader in = new BufferedReader(new InputStreamReader(conn.getInputStream(), StandardCharsets.UTF_8));
          in.readLine();
          new PrintWriter(conn.getOutputStream(), true, StandardCharsets.UTF_8).println("pong " + ip);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      String reply = c.runIn(() -> {
        try (Socket sock = new Socket()) {
          sock.connect(new InetSocketAddress(InetAddress.getByName(ip), listener.getLocalPort()), 10_000);
          sock.setSoTimeout(10_000);
          new PrintWriter(sock.getOutputStream(), true, StandardCharsets.UTF_8).println("ping");
          return new BufferedReader(new InputStreamReader(sock.getInputStream(), StandardCharsets.UTF_8)).readLine();
        }
      });
      serve.get(10, TimeUnit.SECONDS);
      return reply;
    }
  }

  @Test
  void checkNoticesARemovedHostRoute() throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      RoutedPlugin plugin = new RoutedPlugin(env.host);
      TestNetns pod = env.container();
      String conf = env.conf("jcni-routed", "1.0.0", V4);
      JsonNode result = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("pod-c", pod.path(), "eth0", conf), env));
      CmdArgs att = AttachEnv.args("pod-c", pod.path(), "eth0", AttachEnv.withPrev(conf, result));
      plugin.check(att, env);
      String cali = expectedHostName("cali", "pod-c", "eth0");
      assertEquals("1400", AttachEnv.ipJson(env.hostNs, "link", "show", "dev", cali).get(0).path("mtu").asText());
      env.hostNs.ip("route", "del", "10.251.0.2/32", "dev", cali);
      CniException e = assertThrows(CniException.class, () -> plugin.check(att, env));
      assertEquals("host route 10.251.0.2/32 dev " + cali + " not found", e.getMessage());
      plugin.del(att, env);
      assertNothingLeft(env, pod);
    }
  }

  @Test
  void delWithTheNamespaceGoneLeavesNothingAndTwiceIsFine() throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      RoutedPlugin plugin = new RoutedPlugin(env.host);
      TestNetns pod = env.container();
      String conf = env.conf("jcni-routed", "1.0.0", DUAL.replace("{\"ipMasq\"", "{\"vethPrefix\":\"jr\",\"ipMasq\""));
      JsonNode result = AttachEnv.JSON.readTree(plugin.add(AttachEnv.args("pod-d", pod.path(), "eth0", conf), env));
      assertTrue(AttachEnv.linkNames(env.hostNs).contains(expectedHostName("jr", "pod-d", "eth0")));
      String path = pod.path();
      pod.close();
      CmdArgs del = AttachEnv.args("pod-d", path, "eth0", AttachEnv.withPrev(conf, result));
      plugin.del(del, env);
      plugin.del(del, env);
      assertEquals(List.of("lo"), AttachEnv.linkNames(env.hostNs));
      assertEquals(List.of(), env.reserved());
      assertEquals(-1, (AttachEnv.nat(env.hostNs, false) + AttachEnv.nat(env.hostNs, true)).indexOf("CNI-"));
      assertEquals("[]", AttachEnv.ipJson(env.hostNs, "-4", "route", "show", "10.250.0.0/24").toString());
    }
  }

  @Test
  void badPrefixIsRefusedBeforeAnythingIsMade() throws Exception {
    try (AttachEnv env = AttachEnv.create()) {
      TestNetns pod = env.container();
      String conf = env.conf("jcni-routed", "1.0.0",
          V4.replace("{\"mtu\"", "{\"vethPrefix\":\"much-too-long\",\"mtu\""));
      CniException e = assertThrows(CniException.class,
          () -> new RoutedPlugin(env.host).add(AttachEnv.args("pod-e", pod.path(), "eth0", conf), env));
      assertEquals(7, e.code());
      assertTrue(e.getMessage().startsWith("invalid vethPrefix \"much-too-long\""), e.getMessage());
      assertEquals(List.of(), env.reserved());
    }
  }

  private static void assertNothingLeft(AttachEnv env, TestNetns pod) throws Exception {
    assertEquals(List.of("lo"), AttachEnv.linkNames(pod));
    assertEquals(List.of("lo"), AttachEnv.linkNames(env.hostNs));
    assertEquals(List.of(), env.reserved());
    assertEquals(-1, (AttachEnv.nat(env.hostNs, false) + AttachEnv.nat(env.hostNs, true)).indexOf("CNI-"));
    assertEquals("[]", AttachEnv.ipJson(env.hostNs, "-4", "route", "show").toString());
  }
}
