package io.jcni.plugins.internal.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.PluginRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Upstream's host_local_test.go cases, plus CHECK, GC and the failure paths, against the in-process plugin. */
class HostLocalPluginTest {
  @TempDir Path tmp;

  final HostLocalRunner plugin = HostLocalRunner.JCNI;

  String conf(String version, String ipamBody) {
    return conf(version, ipamBody, "");
  }

  String conf(String version, String ipamBody, String extra) {
    return "{\"cniVersion\":\"" + version + "\",\"name\":\"mynet\",\"type\":\"ipvlan\",\"master\":\"foo0\"," + extra
        + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + tmp + "\"," + ipamBody + "}}";
  }

  Path store() {
    return tmp.resolve("mynet");
  }

  String file(String name) throws IOException {
    return new String(Files.readAllBytes(store().resolve(name)), StandardCharsets.UTF_8);
  }

  Set<String> addressFiles() throws IOException {
    return ConfigErrorsInteropTest.addressFiles(store());
  }

  static final String ONE_SET = "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}]]";

  @ParameterizedTest
  @ValueSource(strings = {"0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"})
  void addAndDelV4AndV6WithRoutesAndDns(String version) throws IOException {
    Files.writeString(tmp.resolve("resolv.conf"), "nameserver 192.0.2.3\n");
    String conf =
        conf(
            version,
            "\"resolvConf\":\"" + tmp.resolve("resolv.conf") + "\","
                + "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"},{\"subnet\":\"10.2.2.0/24\"}],"
                + "[{\"subnet\":\"2001:db8:1::0/64\"}]],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\"},"
                + "{\"dst\":\"192.168.0.0/16\",\"gw\":\"1.1.1.1\"},"
                + "{\"dst\":\"2001:db8:2::0/64\",\"gw\":\"2001:db8:3::1\"}]");
    HostLocalRunner.Outcome r = plugin.add("dummy", "eth0", conf);
    assertTrue(r.ok(), r.toString());
    JsonNode res = r.json();
    assertEquals(version, res.get("cniVersion").asText());
    boolean v0 = version.startsWith("0.");
    String expectedIps =
        v0
            ? "[{\"version\":\"4\",\"address\":\"10.1.2.2/24\",\"gateway\":\"10.1.2.1\"},"
                + "{\"version\":\"6\",\"address\":\"2001:db8:1::2/64\",\"gateway\":\"2001:db8:1::1\"}]"
            : "[{\"address\":\"10.1.2.2/24\",\"gateway\":\"10.1.2.1\"},"
                + "{\"address\":\"2001:db8:1::2/64\",\"gateway\":\"2001:db8:1::1\"}]";
    assertEquals(HostLocalRunner.JSON.readTree(expectedIps), res.get("ips"));
    assertEquals(
        HostLocalRunner.JSON.readTree(
            "[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"1.1.1.1\"},"
                + "{\"dst\":\"2001:db8:2::/64\",\"gw\":\"2001:db8:3::1\"}]"),
        res.get("routes"));
    assertEquals(HostLocalRunner.JSON.readTree("{\"nameservers\":[\"192.0.2.3\"]}"), res.get("dns"));

    assertEquals("dummy\r\neth0", file("10.1.2.2"));
    assertEquals("dummy\r\neth0", file("2001:db8:1::2"));
    assertEquals("10.1.2.2", file("last_reserved_ip.0"));
    assertEquals("2001:db8:1::2", file("last_reserved_ip.1"));

    assertTrue(plugin.del("dummy", "eth0", conf).ok());
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void releasesPerInterface() throws IOException {
    String conf = conf("1.0.0", ONE_SET);
    assertEquals("10.1.2.2/24", firstAddress(plugin.add("dummy", "eth0", conf)));
    assertEquals("10.1.2.3/24", firstAddress(plugin.add("dummy", "eth1", conf)));
    assertTrue(plugin.del("dummy", "eth0", conf).ok());
    assertEquals(Set.of("10.1.2.3"), addressFiles());
    assertEquals("dummy\r\neth1", file("10.1.2.3"));
    assertTrue(plugin.del("dummy", "eth1", conf).ok());
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void repeatedAddForOneAttachmentIsRefused() throws IOException {
    String conf = conf("1.0.0", ONE_SET);
    assertTrue(plugin.add("dummy", "eth0", conf).ok());
    HostLocalRunner.Outcome again = plugin.add("dummy", "eth0", conf);
    assertFalse(again.ok());
    assertEquals(
        "failed to allocate for range 0: 10.1.2.2 has been allocated to dummy, duplicate allocation is not allowed",
        again.msg());
    assertEquals("10.1.2.3/24", firstAddress(plugin.add("other", "eth0", conf)));
    assertFalse(plugin.add("dummy", "eth0", conf).ok());
    assertEquals(Set.of("10.1.2.2", "10.1.2.3"), addressFiles(), "the refused ADDs released nothing");
  }

  @Test
  void delRemovesLegacyIdOnlyFiles() throws IOException {
    String conf = conf("1.0.0", ONE_SET);
    assertTrue(plugin.add("dummy", "eth0", conf).ok());
    Files.writeString(store().resolve("10.1.2.2"), "dummy");
    assertTrue(plugin.del("dummy", "eth0", conf).ok());
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void delOfAnUnknownIdIsFine() throws IOException {
    String conf = conf("1.0.0", ONE_SET);
    assertTrue(plugin.add("dummy", "eth0", conf).ok());
    assertTrue(plugin.del("unknown", "eth0", conf).ok());
    assertEquals(Set.of("10.1.2.2"), addressFiles());
  }

  @Test
  void trimsWhitespaceAroundTheContainerId() throws IOException {
    String conf = conf("1.0.0", ONE_SET);
    assertTrue(plugin.add("   dummy\n ", "eth0", conf).ok());
    assertEquals("dummy\r\neth0", file("10.1.2.2"));
    assertTrue(plugin.del("dummy", "eth0", conf).ok());
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void requestedAddressFromArgs() throws IOException {
    String conf = conf("1.0.0", ONE_SET, "\"args\":{\"cni\":{\"ips\":[\"10.1.2.88\"]}},");
    assertEquals("10.1.2.88/24", firstAddress(plugin.add("dummy", "eth0", conf)));
    assertEquals("10.1.2.88", file("last_reserved_ip.0"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.2.0", "0.3.1", "1.0.0"})
  void requestedAddressesFromTwoRangeSets(String version) throws IOException {
    String conf =
        conf(
            version,
            "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.3.0/24\"}]]",
            "\"args\":{\"cni\":{\"ips\":[\"10.1.2.88\",\"10.1.3.77\"]}},");
    HostLocalRunner.Outcome r = plugin.add("dummy", "eth0", conf);
    if (version.equals("0.2.0")) {
      assertFalse(r.ok());
      assertEquals("CNI version 0.2.0 does not support more than 1 address per family", r.msg());
      return;
    }
    assertTrue(r.ok(), r.toString());
    assertEquals("10.1.2.88/24", r.json().get("ips").get(0).get("address").asText());
    assertEquals("10.1.3.77/24", r.json().get("ips").get(1).get("address").asText());
  }

  @Test
  void requestedAddressesOfBothFamilies() throws IOException {
    String conf =
        conf(
            "1.0.0",
            "\"ranges\":[[{\"subnet\":\"172.16.1.0/24\"},{\"subnet\":\"10.1.2.0/24\"}],"
                + "[{\"subnet\":\"2001:db8:1::/48\"}]]",
            "\"args\":{\"cni\":{\"ips\":[\"10.1.2.88\",\"2001:db8:1::999\"]}},");
    HostLocalRunner.Outcome r = plugin.add("dummy", "eth0", conf);
    assertTrue(r.ok(), r.toString());
    assertEquals("10.1.2.88/24", r.json().get("ips").get(0).get("address").asText());
    assertEquals("2001:db8:1::999/48", r.json().get("ips").get(1).get("address").asText());
  }

  @Test
  void twoRequestsInOneSetFailAndReserveNothing() throws IOException {
    String conf = conf("1.0.0", ONE_SET, "\"args\":{\"cni\":{\"ips\":[\"10.1.2.88\",\"10.1.2.77\"]}},");
    HostLocalRunner.Outcome r = plugin.add("dummy", "eth0", conf);
    assertFalse(r.ok());
    assertEquals("failed to allocate all requested IPs: 10.1.2.77", r.msg());
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void runtimeConfigRangesComeFirstAndNameTheLastReservedIndex() throws IOException {
    String conf =
        conf(
            "1.0.0",
            "\"subnet\":\"10.1.3.0/24\",\"ranges\":[[{\"subnet\":\"10.1.4.0/24\"}]]",
            "\"runtimeConfig\":{\"ipRanges\":[[{\"subnet\":\"10.1.2.0/24\"}]]},");
    HostLocalRunner.Outcome r = plugin.add("dummy", "eth0", conf);
    assertTrue(r.ok(), r.toString());
    assertEquals("10.1.2.2/24", r.json().get("ips").get(0).get("address").asText());
    assertEquals("10.1.3.2/24", r.json().get("ips").get(1).get("address").asText());
    assertEquals("10.1.4.2/24", r.json().get("ips").get(2).get("address").asText());
    assertEquals("10.1.2.2", file("last_reserved_ip.0"));
    assertEquals("10.1.3.2", file("last_reserved_ip.1"));
    assertEquals("10.1.4.2", file("last_reserved_ip.2"));
  }

  @Test
  void checkFindsTheAttachmentUntilDel() throws IOException {
    String conf = conf("1.0.0", ONE_SET);
    assertTrue(plugin.add("dummy", "eth0", conf).ok());
    assertTrue(plugin.run(Command.CHECK, "dummy", "eth0", "", conf).ok());
    assertTrue(plugin.del("dummy", "eth0", conf).ok());
    HostLocalRunner.Outcome c = plugin.run(Command.CHECK, "dummy", "eth0", "", conf);
    assertFalse(c.ok());
    assertEquals("host-local: Failed to find address added by container dummy", c.msg());
  }

  @Test
  void exhaustedPoolFailsAndReservesNothingMore() throws IOException {
    // A /30 has one address besides the gateway; the v6 set would still have room.
    String conf =
        conf("1.0.0", "\"ranges\":[[{\"subnet\":\"2001:db8:1::/64\"}],[{\"subnet\":\"10.250.0.0/30\"}]]");
    assertTrue(plugin.add("first", "eth0", conf).ok());
    Map<String, String> before = snapshot();
    HostLocalRunner.Outcome r = plugin.add("second", "eth0", conf);
    assertFalse(r.ok());
    assertEquals("failed to allocate for range 1: no IP addresses available in range set: 10.250.0.1-10.250.0.2",
        r.msg());
    Map<String, String> after = snapshot();
    after.remove("last_reserved_ip.0"); // moved on to the v6 address that was given back
    before.remove("last_reserved_ip.0");
    assertEquals(before, after);
  }

  @Test
  void aSymlinkPlantedAsLastReservedIpIsNeverFollowed() throws IOException {
    Path victim = Files.writeString(tmp.resolve("victim"), "precious\n");
    Files.createDirectories(store());
    Files.createSymbolicLink(store().resolve("last_reserved_ip.0"), victim);
    HostLocalRunner.Outcome r = plugin.add("c", "eth0", conf("1.0.0", ONE_SET));
    assertFalse(r.ok(), r.toString());
    assertEquals(5, r.code(), r.toString());
    assertEquals("failed to allocate for range 0: cannot write " + store().resolve("last_reserved_ip.0")
        + ": last_reserved_ip.0 is a symbolic link; host-local never follows one in its store", r.msg());
    assertEquals("precious\n", Files.readString(victim));
    assertTrue(Files.isSymbolicLink(store().resolve("last_reserved_ip.0")));
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void aSymlinkPlantedAsTheLockIsNeverFollowed() throws IOException {
    Path victim = Files.writeString(tmp.resolve("victim2"), "precious\n");
    Path absent = tmp.resolve("absent");
    Files.createDirectories(store());
    for (Path target : new Path[] {victim, absent}) {
      Files.deleteIfExists(store().resolve("lock"));
      Files.createSymbolicLink(store().resolve("lock"), target);
      HostLocalRunner.Outcome r = plugin.add("c", "eth0", conf("1.0.0", ONE_SET));
      assertFalse(r.ok(), r.toString());
      assertEquals(5, r.code(), r.toString());
      assertEquals("failed to allocate for range 0: cannot lock host-local store " + store()
          + ": lock is a symbolic link; host-local never follows one in its store", r.msg());
    }
    // Go would have created the missing target (O_CREAT through the link) and flocked the existing one.
    assertEquals("precious\n", Files.readString(victim));
    assertFalse(Files.exists(absent));
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void aSymlinkPlantedAsAnAddressFileKeepsThatAddressTaken() throws IOException {
    Path victim = Files.writeString(tmp.resolve("victim3"), "precious\n");
    Files.createDirectories(store());
    Files.createSymbolicLink(store().resolve("10.1.2.2"), victim);
    HostLocalRunner.Outcome r = plugin.add("c", "eth0", conf("1.0.0", ONE_SET));
    assertTrue(r.ok(), r.toString());
    assertEquals("10.1.2.3/24", r.json().path("ips").get(0).path("address").asText());
    assertTrue(plugin.del("c", "eth0", conf("1.0.0", ONE_SET)).ok());
    assertEquals("precious\n", Files.readString(victim));
    assertTrue(Files.isSymbolicLink(store().resolve("10.1.2.2")));
  }

  @Test
  void requestedAddressTakenFailsAndReleasesTheOtherFamily() throws IOException {
    String ranges = "\"ranges\":[[{\"subnet\":\"10.250.0.0/24\"}],[{\"subnet\":\"2001:db8:1::/64\"}]]";
    assertTrue(plugin.add("first", "eth0", conf("1.0.0", ranges)).ok());
    HostLocalRunner.Outcome r =
        plugin.run(Command.ADD, "second", "eth0", "IP=2001:db8:1::2", conf("1.0.0", ranges));
    assertFalse(r.ok());
    assertEquals(
        "failed to allocate for range 1: requested IP address 2001:db8:1::2 is not available in range set"
            + " 2001:db8:1::1-2001:db8:1:0:ffff:ffff:ffff:ffff",
        r.msg());
    assertEquals(Set.of("10.250.0.2", "2001:db8:1::2"), addressFiles());
  }

  @Test
  void requestedGatewayOrOutsideAddressReservesNothing() throws IOException {
    String ranges = "\"ranges\":[[{\"subnet\":\"2001:db8:1::/64\"}],[{\"subnet\":\"10.250.0.0/24\"}]]";
    HostLocalRunner.Outcome gw = plugin.run(Command.ADD, "c", "eth0", "IP=10.250.0.1", conf("1.0.0", ranges));
    assertEquals("failed to allocate for range 1: requested ip 10.250.0.1 is subnet's gateway", gw.msg());
    HostLocalRunner.Outcome out = plugin.run(Command.ADD, "c", "eth0", "IP=10.251.0.9", conf("1.0.0", ranges));
    assertEquals("failed to allocate all requested IPs: 10.251.0.9", out.msg());
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void gcReleasesExactlyTheAddressesOfGoneAttachments() throws IOException {
    String conf = conf("1.1.0", ONE_SET);
    for (String[] a : new String[][] {{"a", "eth0"}, {"b", "eth0"}, {"b", "eth1"}, {"c", "eth0"}}) {
      assertTrue(plugin.add(a[0], a[1], conf).ok());
    }
    Files.writeString(store().resolve("10.1.2.100"), "d"); // legacy files hold the id only
    Files.writeString(store().resolve("10.1.2.101"), "e");
    Map<String, String> before = snapshot();
    String gcConf =
        "{\"cniVersion\":\"1.1.0\",\"name\":\"mynet\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + tmp
            + "\"," + ONE_SET + "},\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"},"
            + "{\"containerID\":\"b\",\"ifname\":\"eth1\"},{\"containerID\":\"d\",\"ifname\":\"eth7\"}]}";
    assertTrue(plugin.run(Command.GC, "", "", "", gcConf).ok());

    Map<String, String> expected = new TreeMap<>(before);
    expected.values().removeIf(v -> v.equals("b\r\neth0") || v.equals("c\r\neth0") || v.equals("e"));
    assertEquals(expected, snapshot());
    assertEquals(8, before.size(), "4 ADDs, 2 legacy files, lock, last_reserved_ip.0");
    assertEquals(5, expected.size());
  }

  @Test
  void gcWithNoValidAttachmentsEmptiesTheStore() throws IOException {
    String conf = conf("1.1.0", ONE_SET);
    assertTrue(plugin.add("a", "eth0", conf).ok());
    assertTrue(plugin.run(Command.GC, "", "", "", conf("1.1.0", ONE_SET, "\"cni.dev/valid-attachments\":[],")).ok());
    assertEquals(Set.of(), addressFiles());
  }

  @Test
  void gcWithoutTheValidAttachmentsKeyReleasesNothing() throws IOException {
    String conf = conf("1.1.0", ONE_SET);
    assertTrue(plugin.add("a", "eth0", conf).ok());
    Set<String> before = addressFiles();
    assertTrue(plugin.run(Command.GC, "", "", "", conf).ok());
    assertEquals(before, addressFiles());
    assertEquals(1, before.size());
  }

  @Test
  void statusIsOk() {
    assertTrue(plugin.run(Command.STATUS, "", "", "", conf("1.1.0", ONE_SET)).ok());
  }

  @Test
  void registeredAsAService() {
    assertTrue(PluginRegistry.discover().lookup("host-local").orElseThrow() instanceof HostLocalPlugin);
  }

  Map<String, String> snapshot() throws IOException {
    return GoEquivalenceTest.snapshot(store());
  }

  static String firstAddress(HostLocalRunner.Outcome o) {
    assertTrue(o.ok(), o.toString());
    return o.json().get("ips").get(0).get("address").asText();
  }
}
