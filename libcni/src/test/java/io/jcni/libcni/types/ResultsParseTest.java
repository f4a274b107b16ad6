package io.jcni.libcni.types;

import io.jcni.libcni.internal.types.Ips;
import static io.jcni.libcni.types.Json.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResultsParseTest {

  @ParameterizedTest
  @ValueSource(strings = {"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"})
  void picksTheShapeByVersion(String v) throws CniException {
    Result r = Results.parse(bytes("{\"cniVersion\":\"" + v + "\",\"ips\":[{\"address\":\"10.1.2.3/24\"}],"
        + "\"ip4\":{\"ip\":\"10.1.2.3/24\"}}"));
    assertEquals(v, r.cniVersion());
    Class<?> expected = v.startsWith("1.") ? Result100.class : v.compareTo("0.3.0") >= 0 ? Result040.class
        : Result020.class;
    assertInstanceOf(expected, r);
  }

  @Test
  void missingVersionIs010() throws CniException {
    Result r = Results.parse(bytes("{\"ip4\":{\"ip\":\"10.1.2.3/24\"}}"));
    assertEquals("0.1.0", r.cniVersion());
  }

  @Test
  void unknownVersionIsUnsupported() {
    CniException e = assertThrows(CniException.class,
        () -> Results.parse(bytes("{\"cniVersion\":\"0.4567.0\"}")));
    assertEquals("unsupported CNI result version \"0.4567.0\"", e.getMessage());
  }

  @Test
  void badJsonIsADecodingError() {
    CniException e = assertThrows(CniException.class, () -> Results.parse(bytes("{\"cniVersion\":")));
    assertTrue(e.getMessage().startsWith("decoding version from network config: "), e.getMessage());
    assertEquals(ErrorCode.DECODING_FAILURE, e.errorCode());
    e = assertThrows(CniException.class, () -> Results.parse(new byte[0]));
    assertEquals("decoding version from network config: unexpected end of JSON input", e.getMessage());
    e = assertThrows(CniException.class, () -> Results.parse(bytes("{} x")));
    assertTrue(e.getMessage().startsWith("decoding version from network config: "), e.getMessage());
  }

  @Test
  void keysMatchCaseInsensitivelyLikeGo() throws CniException {
    Result r = Results.parse(bytes("{\"CNIVersion\":\"1.0.0\",\"IPs\":[{\"Address\":\"10.1.2.3/24\"}]}"));
    assertEquals("1.0.0", r.cniVersion());
    assertEquals("10.1.2.3/24", ((Result100) r).ips().get(0).address().toString());
  }

  @Test
  void versionIfMissingFillsAnAbsentOrEmptyVersion() throws CniException {
    assertEquals("1.0.0", Results.parse(bytes("{\"ips\":[{\"address\":\"10.1.2.3/24\"}]}"), "1.0.0")
        .cniVersion());
    assertEquals("0.4.0", Results.parse(bytes("{\"cniVersion\":\"\"}"), "0.4.0").cniVersion());
    assertEquals("1.1.0", Results.parse(bytes("{\"cniVersion\":\"1.1.0\"}"), "0.4.0").cniVersion());
    assertEquals("0.1.0", Results.parse(bytes("null"), "").cniVersion());
    CniException e = assertThrows(CniException.class, () -> Results.parse(bytes("[1]"), "1.0.0"));
    assertTrue(e.getMessage().startsWith("failed to unmarshal raw result: "), e.getMessage());
  }

  @Test
  void prevResultMustMatchTheConfigShape() throws CniException {
    assertNull(Results.parsePrevResult(null, "1.0.0"));
    Result r = Results.parsePrevResult(Json.tree("{\"cniVersion\":\"1.0.0\"}"), "1.1.0");
    assertEquals("1.0.0", r.cniVersion());
    assertEquals("1.1.0", Results.parsePrevResult(Json.tree("{}"), "1.1.0").cniVersion());
    CniException e = assertThrows(CniException.class,
        () -> Results.parsePrevResult(Json.tree("{\"cniVersion\":\"0.4.0\"}"), "1.0.0"));
    assertEquals("could not parse prevResult: result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion "
        + "is \"0.4.0\"", e.getMessage());
  }

  @Test
  void upstreamParsePrevResultCases() throws CniException {
    Result r = Results.parsePrevResult(Json.tree("""
        {"cniVersion": "1.0.0",
         "interfaces": [{"name": "eth0", "mac": "00:11:22:33:44:55", "sandbox": "/proc/3553/ns/net",
                         "pciID": "8086:9a01", "socketPath": "/path/to/vhost/fd"}],
         "ips": [{"version": "4", "interface": 0, "address": "1.2.3.30/24", "gateway": "1.2.3.1"}]}"""), "1.0.0");
    assertEquals(new Result100("1.0.0",
        java.util.List.of(new Interface("eth0", "00:11:22:33:44:55", null, "/proc/3553/ns/net",
            "/path/to/vhost/fd", "8086:9a01")),
        java.util.List.of(new IpConfig(0, IpNet.parse("1.2.3.30/24"), Ips.parse("1.2.3.1"))), null, null), r);
    CniException e = assertThrows(CniException.class,
        () -> Results.parsePrevResult(Json.tree("{\"cniVersion\": \"5678.456\"}"), "1.1.0"));
    assertEquals("could not parse prevResult: result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "
        + "\"5678.456\"", e.getMessage());
    e = assertThrows(CniException.class, () -> Results.parsePrevResult(
        Json.tree("{\"cniVersion\": \"0.2.0\", \"ip4\": {\"ip\": \"1.2.3.30/24\", \"gateway\": \"1.2.3.1\"}}"),
        "1.1.0"));
    assertEquals("could not parse prevResult: result type supports [1.0.0 1.1.0] but unmarshalled CNIVersion is "
        + "\"0.2.0\"", e.getMessage());
  }

  @Test
  void wrongMemberTypesAreRejected() {
    CniException e = assertThrows(CniException.class,
        () -> Results.parse(bytes("{\"cniVersion\":\"1.0.0\",\"ips\":{}}")));
    assertTrue(e.getMessage().startsWith("json: cannot unmarshal object"), e.getMessage());
    e = assertThrows(CniException.class,
        () -> Results.parse(bytes("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"a\",\"mtu\":1.5}]}")));
    assertTrue(e.getMessage().startsWith("json: cannot unmarshal number 1.5"), e.getMessage());
    e = assertThrows(CniException.class, () -> Results.parse(bytes("{\"cniVersion\":1}")));
    assertTrue(e.getMessage().startsWith("decoding version from network config: json: cannot unmarshal number"),
        e.getMessage());
  }

  @Test
  void unknownMembersAreIgnored() throws CniException {
    Result r = Results.parse(bytes("{\"cniVersion\":\"1.0.0\",\"foo\":[1,2],\"ips\":[{\"address\":\"10.1.2.3/24\","
        + "\"bar\":true}]}"));
    assertEquals("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.2.3/24\"}]}", Json.str(r.toJson()));
  }
}
