package io.jcni.plugins.internal.hostlocal;

import static io.jcni.plugins.internal.hostlocal.Nets.ip;
import static io.jcni.plugins.internal.hostlocal.Nets.ips;
import static io.jcni.plugins.internal.hostlocal.Nets.net;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Upstream's config_test.go cases. */
class IpamConfigTest {

  static IpamConfig load(String json, String env) throws CniException {
    return IpamConfig.load(json.getBytes(StandardCharsets.UTF_8), env);
  }

  static String conf(String version, String ipam, String extra) {
    return "{\"cniVersion\":\"" + version + "\",\"name\":\"mynet\",\"type\":\"ipvlan\",\"master\":\"foo0\"," + extra
        + "\"ipam\":{\"type\":\"host-local\"," + ipam + "}}";
  }

  static RangeSet canonicalSet(Range... r) throws CniException {
    return Nets.set(r).canonical();
  }

  @Test
  void oldStyleConfig() throws CniException {
    IpamConfig c = load(conf("0.3.1", "\"subnet\":\"10.1.2.0/24\"", ""), "");
    assertEquals("mynet", c.name());
    assertEquals("0.3.1", c.cniVersion());
    assertEquals(
        List.of(new RangeSet(List.of(new Range(net("10.1.2.0/24"), ip("10.1.2.1"), ip("10.1.2.254"), ip("10.1.2.1"))))),
        c.rangeSets());
    assertEquals(Store.DEFAULT_DATA_DIR, c.dataDir());
    assertNull(c.resolvConf());
    assertEquals(List.of(), c.requestedIps());
  }

  @Test
  void newStyleConfig() throws CniException {
    IpamConfig c =
        load(
            conf(
                "0.3.1",
                "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"},{\"subnet\":\"11.1.2.0/24\"}],"
                    + "[{\"subnet\":\"2001:db8:1::/64\"}]],\"dataDir\":\"/tmp/x\",\"resolvConf\":\"/etc/r\"",
                ""),
            "");
    assertEquals(
        List.of(
            new RangeSet(
                List.of(
                    new Range(net("10.1.2.0/24"), ip("10.1.2.1"), ip("10.1.2.254"), ip("10.1.2.1")),
                    new Range(net("11.1.2.0/24"), ip("11.1.2.1"), ip("11.1.2.254"), ip("11.1.2.1")))),
            new RangeSet(
                List.of(
                    new Range(
                        net("2001:db8:1::/64"),
                        ip("2001:db8:1::1"),
                        ip("2001:db8:1::ffff:ffff:ffff:ffff"),
                        ip("2001:db8:1::1"))))),
        c.rangeSets());
    assertEquals(Path.of("/tmp/x"), c.dataDir());
    assertEquals("/etc/r", c.resolvConf());
  }

  @Test
  void mixedConfigWithRuntimeRangesInOrder() throws CniException {
    IpamConfig c =
        load(
            conf(
                "0.3.1",
                "\"subnet\":\"10.1.2.0/24\",\"ranges\":[[{\"subnet\":\"11.1.2.0/24\"}],[{\"subnet\":\"2001:db8:1::/64\"}]]",
                "\"RuntimeConfig\":{\"ipRanges\":[[{\"subnet\":\"12.1.2.0/24\"}],[{\"subnet\":\"2001:db8:2::/64\"}]]},"),
            "");
    List<String> subnets = c.rangeSets().stream().map(s -> s.ranges().get(0).subnet().toString()).toList();
    assertEquals(
        List.of("12.1.2.0/24", "2001:db8:2::/64", "10.1.2.0/24", "11.1.2.0/24", "2001:db8:1::/64"), subnets);
  }

  @Test
  void requestedAddressFromEnv() throws CniException {
    assertEquals(ips("10.1.2.10"), load(conf("0.3.1", "\"subnet\":\"10.1.2.0/24\"", ""), "IP=10.1.2.10").requestedIps());
    assertEquals(
        ips("10.1.2.11"), load(conf("0.3.1", "\"subnet\":\"10.1.2.0/24\"", ""), "IP=10.1.2.11/24").requestedIps());
  }

  @Test
  void requestedAddressesEnvFirstThenArgsThenRuntimeConfig() throws CniException {
    IpamConfig c =
        load(
            conf(
                "0.3.1",
                "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"11.1.0.0/16\"}],[{\"subnet\":\"2001:db8:1::/64\"}]]",
                "\"args\":{\"cni\":{\"ips\":[\"10.1.2.11\",\"11.11.11.11\",\"2001:db8:1::11\"]}},"
                    + "\"runtimeConfig\":{\"ips\":[\"10.1.2.12/24\",\"2001:db8:1::12/64\"]},"),
            "IP=10.1.2.10");
    assertEquals(
        ips("10.1.2.10", "10.1.2.11", "11.11.11.11", "2001:db8:1::11", "10.1.2.12", "2001:db8:1::12"),
        c.requestedIps());
  }

  @Test
  void overlapBetweenSets() {
    CniException e =
        assertThrows(
            CniException.class,
            () -> load(conf("0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.2.0/26\"}]]", ""), ""));
    assertEquals("range set 0 overlaps with 1", e.getMessage());
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
  }

  @Test
  void overlapWithinASet() {
    CniException e =
        assertThrows(
            CniException.class,
            () -> load(conf("0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.0.0/22\"},{\"subnet\":\"10.1.2.0/24\"}]]", ""), ""));
    assertEquals(
        "invalid range set 0: subnets 10.1.0.1-10.1.3.254 and 10.1.2.1-10.1.2.254 overlap", e.getMessage());
  }

  @Test
  void mixedFamiliesInASet() {
    CniException e =
        assertThrows(
            CniException.class,
            () -> load(conf("0.3.1", "\"ranges\":[[{\"subnet\":\"10.1.0.0/22\"},{\"subnet\":\"2001:db8:5::/64\"}]]", ""), ""));
    assertEquals("invalid range set 0: mixed address families", e.getMessage());
  }

  @Test
  void version020AllowsOneAddressPerFamily() throws CniException {
    CniException e =
        assertThrows(
            CniException.class,
            () -> load(conf("0.2.0", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.4.0/24\"}]]", ""), ""));
    assertEquals("CNI version 0.2.0 does not support more than 1 address per family", e.getMessage());
    assertEquals(
        2,
        load(conf("0.2.0", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"2001:db8:1::/64\"}]]", ""), "")
            .rangeSets()
            .size());
  }

  @Test
  void missingOrBadNetworkName() {
    CniException missing =
        assertThrows(CniException.class, () -> load("{\"ipam\":{\"subnet\":\"10.1.2.0/24\"}}", ""));
    assertEquals("missing network name", missing.getMessage());
    CniException bad =
        assertThrows(CniException.class, () -> load("{\"name\":\"../etc\",\"ipam\":{\"subnet\":\"10.1.2.0/24\"}}", ""));
    assertEquals("invalid characters found in network name; ../etc", bad.getMessage());
  }

  @Test
  void routeWithoutDestinationIsRefused() {
    CniException e =
        assertThrows(
            CniException.class,
            () -> load(conf("1.0.0", "\"subnet\":\"10.1.2.0/24\",\"routes\":[{\"gw\":\"10.1.2.1\"}]", ""), ""));
    assertEquals(ErrorCode.DECODING_FAILURE, e.errorCode(), e.getMessage());
  }
}
