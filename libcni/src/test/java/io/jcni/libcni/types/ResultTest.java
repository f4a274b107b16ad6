package io.jcni.libcni.types;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.types.Ips;
import static io.jcni.libcni.types.Json.assertMatches;
import static io.jcni.libcni.types.Json.bytes;
import static io.jcni.libcni.types.Json.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.version.Versions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Result shapes and conversions, checked against the expectations of upstream's pkg/types tests. */
class ResultTest {

  /** Upstream pkg/types/100 testResult(): every field set. */
  static Result100 upstreamResult() throws CniException {
    return new Result100("1.1.0",
        List.of(new Interface("eth0", "00:11:22:33:44:55", 1500, "/proc/3553/ns/net", "/path/to/vhost/fd",
            "8086:9a01")),
        List.of(
            new IpConfig(0, IpNet.parse("1.2.3.30/24"), Ips.parse("1.2.3.1")),
            new IpConfig(0, IpNet.parse("abcd:1234:ffff::cdde/64"), Ips.parse("abcd:1234:ffff::1"))),
        List.of(
            // net.ParseCIDR("15.5.6.8/24") gives the network as Dst and the address as GW.
            Route.of(IpNet.parse("15.5.6.0/24"), Ips.parse("15.5.6.8")),
            Route.of(IpNet.parse("1111:dddd::/80"), Ips.parse("1111:dddd::aaaa"))),
        new Dns(List.of("1.2.3.4", "1::cafe"), "acompany.com", List.of("somedomain.com", "otherdomain.net"),
            List.of("foo", "bar")));
  }

  static final String DNS_JSON = """
      "dns": {"nameservers": ["1.2.3.4", "1::cafe"], "domain": "acompany.com",
              "search": ["somedomain.com", "otherdomain.net"], "options": ["foo", "bar"]}""";

  @Test
  void encodes110LikeUpstream() throws Exception {
    assertMatches("""
        {"cniVersion": "1.1.0",
         "interfaces": [{"name": "eth0", "mac": "00:11:22:33:44:55", "mtu": 1500, "sandbox": "/proc/3553/ns/net",
                         "pciID": "8086:9a01", "socketPath": "/path/to/vhost/fd"}],
         "ips": [{"interface": 0, "address": "1.2.3.30/24", "gateway": "1.2.3.1"},
                 {"interface": 0, "address": "abcd:1234:ffff::cdde/64", "gateway": "abcd:1234:ffff::1"}],
         "routes": [{"dst": "15.5.6.0/24", "gw": "15.5.6.8"}, {"dst": "1111:dddd::/80", "gw": "1111:dddd::aaaa"}],
        """ + DNS_JSON + "}", upstreamResult().toPrettyJson());
  }

  @Test
  void converts110To100AndBackUnchanged() throws Exception {
    Result r100 = upstreamResult().convertTo("1.0.0");
    assertEquals("1.0.0", r100.cniVersion());
    assertEquals(upstreamResult(), r100.convertTo("1.1.0"));
  }

  @Test
  void encodes010LikeUpstream() throws Exception {
    assertMatches("""
        {"cniVersion": "0.1.0",
         "ip4": {"ip": "1.2.3.30/24", "gateway": "1.2.3.1", "routes": [{"dst": "15.5.6.0/24", "gw": "15.5.6.8"}]},
         "ip6": {"ip": "abcd:1234:ffff::cdde/64", "gateway": "abcd:1234:ffff::1",
                 "routes": [{"dst": "1111:dddd::/80", "gw": "1111:dddd::aaaa"}]},
        """ + DNS_JSON + "}", upstreamResult().convertTo("0.1.0").toPrettyJson());
  }

  @Test
  void encodes040LikeUpstream() throws Exception {
    assertMatches("""
        {"cniVersion": "0.4.0",
         "interfaces": [{"name": "eth0", "mac": "00:11:22:33:44:55", "sandbox": "/proc/3553/ns/net"}],
         "ips": [{"interface": 0, "version": "4", "address": "1.2.3.30/24", "gateway": "1.2.3.1"},
                 {"interface": 0, "version": "6", "address": "abcd:1234:ffff::cdde/64", "gateway": "abcd:1234:ffff::1"}],
         "routes": [{"dst": "15.5.6.0/24", "gw": "15.5.6.8"}, {"dst": "1111:dddd::/80", "gw": "1111:dddd::aaaa"}],
        """ + DNS_JSON + "}", upstreamResult().convertTo("0.4.0").toPrettyJson());
  }

  @Test
  void emptyTargetVersionMeans010() throws Exception {
    assertEquals("0.1.0", upstreamResult().convertTo("").cniVersion());
  }

  @Test
  void interfaceIndexZeroIsKeptAndMissingIndexIsOmitted() throws Exception {
    IpConfig zero = new IpConfig(0, IpNet.parse("10.1.2.3/24"), null);
    assertMatches("{\"interface\": 0, \"address\": \"10.1.2.3/24\"}", GoJson.compact(zero.toJsonNode()));
    assertEquals(zero, IpConfig.fromJson(Json.tree(str(GoJson.compact(zero.toJsonNode())))));

    IpConfig none = new IpConfig(null, IpNet.parse("10.1.2.3/24"), null);
    assertMatches("{\"address\": \"10.1.2.3/24\"}", GoJson.compact(none.toJsonNode()));
    assertNull(IpConfig.fromJson(Json.tree("{\"address\": \"10.1.2.3/24\"}")).interfaceIndex());
  }

  @Test
  void badAddressTypeIsADecodingError() {
    CniException e = assertThrows(CniException.class, () -> IpConfig.fromJson(Json.tree("{\"address\": 5}")));
    assertTrue(e.getMessage().startsWith("json: cannot unmarshal"), e.getMessage());
    assertEquals(ErrorCode.DECODING_FAILURE, e.errorCode());
  }

  @Test
  void downconvertWithoutIpsFails() throws Exception {
    Result100 l2 = new Result100("1.0.0", List.of(Interface.of("eth0", "aa:bb:cc:dd:ee:ff")), null, null, null);
    for (String v : Versions.LEGACY) {
      CniException e = assertThrows(CniException.class, () -> l2.convertTo(v));
      assertEquals("cannot convert: no valid IP addresses", e.getMessage());
    }
    // 0.3/0.4 can hold it.
    assertInstanceOf(Result040.class, l2.convertTo("0.3.1"));
  }

  @Test
  void unknownTargetHasNoConverter() throws Exception {
    CniException e = assertThrows(CniException.class, () -> upstreamResult().convertTo("0.5.0"));
    assertEquals("no converter for CNI result version 1.1.0 to 0.5.0", e.getMessage());
  }

  @Test
  void everyPairOfVersionsConverts() throws Exception {
    for (String from : Versions.ALL) {
      Result source = upstreamResult().convertTo(from);
      assertEquals(from, source.cniVersion());
      for (String to : Versions.ALL) {
        Result r = source.convertTo(to);
        assertEquals(to, r.cniVersion(), from + " -> " + to);
        // Whatever the path, both addresses survive and re-parsing the JSON gives the same value.
        assertEquals(r, Results.parse(r.toJson()), from + " -> " + to);
        String json = str(r.toJson());
        assertTrue(json.contains("1.2.3.30/24") && json.contains("abcd:1234:ffff::cdde/64"), json);
      }
      assertSame(source, source.convertTo(from));
    }
  }

  @Test
  void legacyToCurrentMovesIpsAndRoutes() throws Exception {
    Result r = Results.parse(bytes("""
        {"cniVersion":"0.2.0",
         "ip4":{"ip":"10.1.2.3/24","gateway":"10.1.2.1","routes":[{"dst":"0.0.0.0/0"}]},
         "ip6":{"ip":"2001:db8::3/64","routes":[{"dst":"::/0","gw":"2001:db8::1"}]},
         "dns":{"nameservers":["10.1.2.1"]}}"""));
    assertInstanceOf(Result020.class, r);
    assertMatches("""
        {"cniVersion":"1.0.0",
         "ips":[{"address":"10.1.2.3/24","gateway":"10.1.2.1"},{"address":"2001:db8::3/64"}],
         "routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"2001:db8::1"}],
         "dns":{"nameservers":["10.1.2.1"]}}""", r.convertTo("1.0.0").toJson());
    assertMatches("""
        {"cniVersion":"0.3.1",
         "ips":[{"version":"4","address":"10.1.2.3/24","gateway":"10.1.2.1"},
                {"version":"6","address":"2001:db8::3/64"}],
         "routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0","gw":"2001:db8::1"}],
         "dns":{"nameservers":["10.1.2.1"]}}""", r.convertTo("0.3.1").toJson());
  }

  @Test
  void legacyResultRoundTripsThrough040WithAndWithoutRouteGateways() throws Exception {
    for (boolean gws : new boolean[] {true, false}) {
      Result020 res = new Result020("0.2.0",
          new Result020.IpConfig(IpNet.parse("1.2.3.30/24"), Ips.parse("1.2.3.1"),
              List.of(Route.of(IpNet.parse("15.5.6.0/24"), gws ? Ips.parse("15.5.6.8") : null))),
          new Result020.IpConfig(IpNet.parse("abcd:1234:ffff::cdde/64"), Ips.parse("abcd:1234:ffff::1"),
              List.of(Route.of(IpNet.parse("1111:dddd::/80"), gws ? Ips.parse("1111:dddd::aaaa") : null))),
          upstreamResult().dns());
      Result back = res.convertTo("0.4.0").convertTo("0.2.0");
      assertEquals(res, back);
      assertEquals(str(res.toJson()), str(back.toJson()));
      assertEquals("0.1.0", res.convertTo("0.1.0").cniVersion());
      assertEquals(res, res.convertTo("0.1.0").convertTo("0.2.0"));
    }
  }

  @Test
  void downconvertKeepsFirstIpPerFamilyAndRoutesByDestinationFamily() throws Exception {
    Result r = Results.parse(bytes("""
        {"cniVersion":"0.4.0",
         "ips":[{"version":"6","address":"2001:db8::3/64"},{"version":"4","address":"10.1.2.3/24"},
                {"version":"4","address":"10.9.9.9/24"}],
         "routes":[{"dst":"10.0.0.0/8","gw":"10.1.2.1","mtu":1400,"priority":5,"table":0,"scope":0},
                   {"dst":"2001:db8:1::/48"}]}"""));
    assertMatches("""
        {"cniVersion":"0.2.0",
         "ip4":{"ip":"10.1.2.3/24","routes":[{"dst":"10.0.0.0/8","gw":"10.1.2.1"}]},
         "ip6":{"ip":"2001:db8::3/64","routes":[{"dst":"2001:db8:1::/48"}]},
         "dns":{}}""", r.convertTo("0.2.0").toJson());
  }

  @Test
  void routesWithoutAMatchingIpAreDroppedOnDownconvert() throws Exception {
    Result r = Results.parse(bytes("""
        {"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3/24"}],"routes":[{"dst":"::/0"}]}"""));
    assertMatches("{\"cniVersion\":\"0.1.0\",\"ip4\":{\"ip\":\"10.1.2.3/24\"},\"dns\":{}}",
        r.convertTo("0.1.0").toJson());
  }

  @Test
  void dnsIsOmittedWhenEmptyIn1xAndPrintedIn0x() throws Exception {
    Result100 r = new Result100("1.0.0", null, List.of(IpConfig.of(null, IpNet.parse("10.1.2.3/24"), null)),
        null, null);
    assertFalse(str(r.toJson()).contains("dns"));
    assertTrue(str(r.convertTo("0.4.0").toJson()).contains("\"dns\":{}"));
    assertTrue(str(r.convertTo("0.2.0").toJson()).contains("\"dns\":{}"));
  }

  @Test
  void oneXMembersAreSortedLikeGosMapRoundTrip() throws Exception {
    // Go >= v1.2.0 marshals 1.x results via map[string]interface{}, so keys come out sorted at every level.
    assertEquals("{\"cniVersion\":\"1.1.0\",\"dns\":{\"domain\":\"acompany.com\",\"nameservers\":[\"1.2.3.4\","
        + "\"1::cafe\"],\"options\":[\"foo\",\"bar\"],\"search\":[\"somedomain.com\",\"otherdomain.net\"]},"
        + "\"interfaces\":[{\"mac\":\"00:11:22:33:44:55\",\"mtu\":1500,\"name\":\"eth0\",\"pciID\":\"8086:9a01\","
        + "\"sandbox\":\"/proc/3553/ns/net\",\"socketPath\":\"/path/to/vhost/fd\"}],\"ips\":[{\"address\":"
        + "\"1.2.3.30/24\",\"gateway\":\"1.2.3.1\",\"interface\":0},{\"address\":\"abcd:1234:ffff::cdde/64\","
        + "\"gateway\":\"abcd:1234:ffff::1\",\"interface\":0}],\"routes\":[{\"dst\":\"15.5.6.0/24\",\"gw\":"
        + "\"15.5.6.8\"},{\"dst\":\"1111:dddd::/80\",\"gw\":\"1111:dddd::aaaa\"}]}",
        str(upstreamResult().toJson()));
  }

  @Test
  void routeJsonCarriesEveryFieldAndRejectsBadGateway() throws Exception {
    Route r = new Route(IpNet.parse("1.2.3.0/24"), Ips.parse("1.2.3.1"), 1500, 1340, 100, 50, 253);
    assertMatches("{ \"dst\": \"1.2.3.0/24\", \"gw\": \"1.2.3.1\", \"mtu\": 1500, \"advmss\": 1340, "
        + "\"priority\": 100, \"table\": 50, \"scope\": 253 }", GoJson.compact(r.toJsonNode()));
    assertEquals(r, Route.fromJson(r.toJsonNode()));
    CniException e = assertThrows(CniException.class,
        () -> Route.fromJson(Json.tree("{ \"dst\": \"1.2.3.0/24\", \"gw\": \"1.2.3.x\" }")));
    assertEquals("invalid IP address: 1.2.3.x", e.getMessage());
  }

  @Test
  void tableAndScopeZeroAreKeptButZeroMtuIsUnset() throws Exception {
    Route r = new Route(IpNet.parse("1.2.3.0/24"), null, 0, 0, 0, 0, 0);
    assertEquals("{\"dst\":\"1.2.3.0/24\",\"table\":0,\"scope\":0}", str(GoJson.compact(r.toJsonNode())));
  }

  @Test
  void nullsBecomeEmpties() {
    Result100 r = new Result100(null, null, null, null, null);
    assertEquals("1.1.0", r.cniVersion());
    assertEquals(List.of(), r.interfaces());
    assertEquals(Dns.EMPTY, r.dns());
    assertEquals("{\"cniVersion\":\"1.1.0\"}", str(r.toJson()));
    assertEquals("0.4.0", new Result040(null, null, null, null, null).cniVersion());
    assertEquals("0.2.0", new Result020("", null, null, null).cniVersion());
    assertThrows(IllegalArgumentException.class, () -> new Result100("0.4.0", null, null, null, null));
  }

  @Test
  void recordsAreImmutable() throws Exception {
    Result100 r = upstreamResult();
    assertThrows(UnsupportedOperationException.class, () -> r.ips().clear());
    assertThrows(UnsupportedOperationException.class, () -> r.dns().nameservers().clear());
  }
}
