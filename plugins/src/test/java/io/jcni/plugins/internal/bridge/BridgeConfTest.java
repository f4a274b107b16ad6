package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BridgeConfTest {

  private static BridgeConf parse(String json) throws CniException {
    return parse(json, "");
  }

  private static BridgeConf parse(String json, String env) throws CniException {
    return BridgeConf.parse(json.getBytes(StandardCharsets.UTF_8), env);
  }

  private static CniException fails(String json) {
    return assertThrows(CniException.class, () -> parse(json));
  }

  @Test
  void defaultsOfAMinimalConf() throws Exception {
    BridgeConf c = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"}");
    assertEquals("1.0.0", c.cniVersion());
    assertEquals("n", c.name());
    assertEquals("cni0", c.bridge());
    assertEquals("", c.ipamType());
    assertFalse(c.isLayer3());
    assertFalse(c.isGateway());
    assertFalse(c.isDefaultGateway());
    assertFalse(c.forceAddress());
    assertFalse(c.ipMasq());
    assertNull(c.ipMasqBackend());
    assertEquals(0, c.mtu());
    assertFalse(c.hairpinMode());
    assertFalse(c.promiscMode());
    assertEquals(0, c.vlan());
    assertFalse(c.vlanTrunkSet());
    assertEquals(List.of(), c.trunkVlans());
    assertFalse(c.vlanFiltering());
    // current upstream (v1.8+) default; Debian 1.1.1 has no such option and always keeps vid 1
    assertFalse(c.preserveDefaultVlan());
    assertFalse(c.macSpoofCheck());
    assertFalse(c.enableDad());
    assertFalse(c.disableContainerInterface());
    assertFalse(c.portIsolation());
    assertEquals("", c.mac());
    assertNull(c.dns());
    assertNull(c.prevResult());
  }

  @Test
  void everyFieldIsRead() throws Exception {
    BridgeConf c =
        parse(
            """
            {"cniVersion":"0.4.0","name":"net1","type":"bridge","bridge":"br7","isGateway":true,
             "forceAddress":true,"ipMasq":true,"ipMasqBackend":"nftables","mtu":1400,"hairpinMode":true,
             "vlan":100,"vlanTrunk":[{"id":5}],"preserveDefaultVlan":true,"macspoofchk":true,"enabledad":true,
             "portIsolation":true,"ipam":{"type":"host-local","subnet":"10.200.0.0/24"},
             "dns":{"nameservers":["192.0.2.53"]},"prevResult":{"cniVersion":"0.4.0"}}""");
    assertEquals("br7", c.bridge());
    assertTrue(c.isGateway());
    assertFalse(c.isDefaultGateway());
    assertTrue(c.forceAddress());
    assertTrue(c.ipMasq());
    assertEquals("nftables", c.ipMasqBackend());
    assertEquals(1400, c.mtu());
    assertTrue(c.hairpinMode());
    assertEquals(100, c.vlan());
    assertEquals(List.of(5), c.trunkVlans());
    assertTrue(c.preserveDefaultVlan());
    assertTrue(c.macSpoofCheck());
    assertTrue(c.enableDad());
    assertTrue(c.portIsolation());
    assertEquals("host-local", c.ipamType());
    assertTrue(c.isLayer3());
    assertEquals(List.of("192.0.2.53"), c.dns().nameservers());
    assertEquals("0.4.0", c.prevResult().get("cniVersion").asText());
  }

  @Test
  void isDefaultGatewayImpliesIsGateway() throws Exception {
    BridgeConf c = parse("{\"isDefaultGateway\":true}");
    assertTrue(c.isGateway());
    assertTrue(c.isDefaultGateway());
  }

  @Test
  void keysMatchCaseInsensitivelyAndTheLastOneWins() throws Exception {
    // the upstream bridge test sends "RuntimeConfig"
    BridgeConf c = parse("{\"BRIDGE\":\"a\",\"Bridge\":\"b\",\"MTU\":9000,\"RuntimeConfig\":{\"MAC\":\"02:00:00:00:00:09\"}}");
    assertEquals("b", c.bridge());
    assertEquals(9000, c.mtu());
    assertEquals("02:00:00:00:00:09", c.mac());
  }

  @Test
  void unknownKeysAndNullsAreIgnored() throws Exception {
    BridgeConf c = parse("{\"whatever\":{\"x\":[1]},\"bridge\":null,\"mtu\":null,\"vlanTrunk\":null}");
    assertEquals("cni0", c.bridge());
    assertEquals(0, c.mtu());
    assertFalse(c.vlanTrunkSet());
  }

  @Test
  void emptyIpamMeansLayer2() throws Exception {
    assertFalse(parse("{\"ipam\":{}}").isLayer3());
    assertFalse(parse("{\"ipam\":{\"type\":\"\"}}").isLayer3());
  }

  @Test
  void negativeMtuMeansKernelDefault() throws Exception {
    assertEquals(0, parse("{\"mtu\":-5}").mtu());
  }

  @Test
  void wrongJsonTypesAreDecodingFailures() {
    CniException e = fails("{\"mtu\":\"1500\"}");
    assertEquals(ErrorCode.DECODING_FAILURE, e.errorCode());
    assertEquals(
        "failed to load netconf: json: cannot unmarshal string into Go struct field NetConf.mtu of type int",
        e.getMessage());
    assertEquals(
        "failed to load netconf: json: cannot unmarshal number 1.5 into Go struct field NetConf.vlan of type int",
        fails("{\"vlan\":1.5}").getMessage());
    assertEquals(
        "failed to load netconf: json: cannot unmarshal string into Go struct field NetConf.isGateway of type bool",
        fails("{\"isGateway\":\"true\"}").getMessage());
    assertEquals("failed to load netconf: invalid character 'o' in literal null (expecting 'u')",
        fails("not json").getMessage());
    assertTrue(fails("[1]").getMessage().startsWith("failed to load netconf: json: cannot unmarshal array"));
    assertEquals("failed to load netconf: unexpected end of JSON input", fails("").getMessage());
  }

  @ParameterizedTest
  @CsvSource({"-100", "5000", "4095", "-1"})
  void vlanOutOfRange(long vlan) {
    CniException e = fails("{\"vlan\":" + vlan + "}");
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    assertEquals("invalid VLAN ID " + vlan + " (must be between 0 and 4094)", e.getMessage());
  }

  @Test
  void vlanBounds() throws Exception {
    assertEquals(4094, parse("{\"vlan\":4094}").vlan());
    assertTrue(parse("{\"vlan\":1}").vlanFiltering());
  }

  @Test
  void vlanTrunkIsCollectedAndAnEmptyListStillFilters() throws Exception {
    BridgeConf c = parse("{\"vlanTrunk\":[{\"minID\":200,\"maxID\":202},{\"id\":101},{\"id\":201}]}");
    assertEquals(List.of(101, 200, 201, 202), c.trunkVlans());
    assertTrue(c.vlanFiltering());
    BridgeConf empty = parse("{\"vlanTrunk\":[]}");
    assertTrue(empty.vlanTrunkSet());
    assertTrue(empty.vlanFiltering());
    assertEquals(List.of(), empty.trunkVlans());
    // vlan together with a trunk is allowed since upstream v1.8
    BridgeConf both = parse("{\"vlan\":100,\"vlanTrunk\":[{\"id\":7}]}");
    assertEquals(100, both.vlan());
    assertEquals(List.of(7), both.trunkVlans());
  }

  @Test
  void vlanTrunkErrorsPassThrough() {
    assertEquals("incorrect trunk id parameter", fails("{\"vlanTrunk\":[{\"id\":5000}]}").getMessage());
    assertEquals(
        "incorrect trunk id parameter", fails("{\"vlanTrunk\":[{\"id\":1099511627776}]}").getMessage());
    assertEquals(
        "minID and maxID should be configured simultaneously, maxID is missing",
        fails("{\"vlanTrunk\":[{\"minID\":5}]}").getMessage());
    assertTrue(fails("{\"vlanTrunk\":{\"id\":1}}").getMessage().contains("of type []*main.VlanTrunk"));
  }

  @Test
  void macPrecedenceEnvThenArgsThenRuntimeConfig() throws Exception {
    String env = "MAC=02:00:00:00:00:01";
    assertEquals("02:00:00:00:00:01", parse("{}", env).mac());
    assertEquals(
        "02:00:00:00:00:02", parse("{\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:02\"}}}", env).mac());
    assertEquals(
        "02:00:00:00:00:03",
        parse(
                "{\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:02\"}},"
                    + "\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}}",
                env)
            .mac());
    // an empty higher-priority value does not override
    assertEquals("02:00:00:00:00:01", parse("{\"runtimeConfig\":{\"mac\":\"\"}}", env).mac());
  }

  @Test
  void cniArgsErrors() {
    CniException unknown = assertThrows(CniException.class, () -> parse("{}", "IP=10.200.0.5"));
    // the Go plugins print LoadArgs errors as plain errors, code 999
    assertEquals(ErrorCode.INTERNAL, unknown.errorCode());
    assertEquals("ARGS: unknown args [\"IP=10.200.0.5\"]", unknown.getMessage());
    assertEquals(
        "ARGS: unknown args [\"A=1\" \"B=2\"]",
        assertThrows(CniException.class, () -> parse("{}", "A=1;MAC=02:00:00:00:00:01;B=2")).getMessage());
    assertEquals(
        "ARGS: invalid pair \"K8S_POD\"",
        assertThrows(CniException.class, () -> parse("{}", "K8S_POD")).getMessage());
    assertEquals(
        "ARGS: invalid pair \"\"",
        assertThrows(CniException.class, () -> parse("{}", "MAC=02:00:00:00:00:01;")).getMessage());
    assertEquals(
        "ARGS: invalid pair \"a=b=c\"", assertThrows(CniException.class, () -> parse("{}", "a=b=c")).getMessage());
    assertEquals(
        "ARGS: error parsing value of pair \"IgnoreUnknown=yes\": boolean unmarshal error: invalid input yes",
        assertThrows(CniException.class, () -> parse("{}", "IgnoreUnknown=yes")).getMessage());
    // keys are Go field names, matched exactly
    assertEquals(
        "ARGS: unknown args [\"mac=02:00:00:00:00:01\"]",
        assertThrows(CniException.class, () -> parse("{}", "mac=02:00:00:00:00:01")).getMessage());
  }

  @Test
  void ignoreUnknownLetsOtherArgsThrough() throws Exception {
    assertEquals(
        "02:00:00:00:00:01",
        parse("{}", "IP=10.200.0.5;IgnoreUnknown=1;MAC=02:00:00:00:00:01;K8S_POD_NAME=x").mac());
    assertEquals("", parse("{}", "IgnoreUnknown=TRUE;X=1").mac());
  }

  @Test
  void ipMasqBackendValues() throws Exception {
    assertEquals("iptables", parse("{\"ipMasqBackend\":\"iptables\"}").ipMasqBackend());
    assertEquals("nftables", parse("{\"ipMasqBackend\":\"nftables\"}").ipMasqBackend());
    CniException e = fails("{\"ipMasqBackend\":\"ebpf\"}");
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    assertEquals("unknown ipmasq backend \"ebpf\"", e.getMessage());
    assertEquals("unknown ipmasq backend \"\"", fails("{\"ipMasqBackend\":\"\"}").getMessage());
  }

  @Test
  void dnsIsSetOnlyInGosSense() throws Exception {
    assertNull(parse("{\"dns\":{}}").dns());
    assertNull(parse("{\"dns\":{\"domain\":\"\"}}").dns());
    assertNotNull(parse("{\"dns\":{\"nameservers\":[]}}").dns());
    assertNotNull(parse("{\"dns\":{\"search\":[\"a\"]}}").dns());
    assertNotNull(parse("{\"dns\":{\"options\":[]}}").dns());
    assertNotNull(parse("{\"dns\":{\"domain\":\"example.org\"}}").dns());
    // a malformed dns fails at load time, before anything is made
    assertThrows(CniException.class, () -> parse("{\"dns\":{\"nameservers\":[1]}}"));
  }

  @Test
  void addOnlyChecksInGoOrder() throws Exception {
    BridgeConf both = parse("{\"hairpinMode\":true,\"promiscMode\":true,\"ipam\":{\"type\":\"host-local\"},"
        + "\"disableContainerInterface\":true}");
    CniException e = assertThrows(CniException.class, both::checkForAdd);
    assertEquals("cannot use IPAM when DisableContainerInterface flag is set", e.getMessage());
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    BridgeConf hp = parse("{\"hairpinMode\":true,\"promiscMode\":true}");
    assertEquals(
        "cannot set hairpin mode and promiscuous mode at the same time",
        assertThrows(CniException.class, hp::checkForAdd).getMessage());
    parse("{\"disableContainerInterface\":true,\"ipam\":{}}").checkForAdd();
    parse("{\"hairpinMode\":true}").checkForAdd();
  }

  @Test
  void badBridgeNamesAndMacsFailBeforeAnythingIsMade() throws Exception {
    assertTrue(
        assertThrows(CniException.class, () -> parse("{\"bridge\":\"a-name-longer-than-15\"}").checkForAdd())
            .getMessage()
            .startsWith("failed to create bridge \"a-name-longer-than-15\": invalid bridge name"));
    assertThrows(CniException.class, () -> parse("{\"bridge\":\"\"}").checkForAdd());
    assertThrows(CniException.class, () -> parse("{\"bridge\":\"a b\"}").checkForAdd());
    CniException mac =
        assertThrows(CniException.class, () -> parse("{\"runtimeConfig\":{\"mac\":\"zz:00\"}}").checkForAdd());
    assertEquals("failed to make veth pair: address zz:00: invalid MAC address", mac.getMessage());
  }

  @Test
  void nonAsciiDigitInMacIsGosInvalidMacError() {
    // Go's net.ParseMAC takes ASCII hex digits only; U+0663 (ARABIC-INDIC DIGIT THREE) is no hex digit to it
    String bad = "02:00:5e:10:00:a\u0663";
    CniException e = assertThrows(CniException.class,
        () -> parse("{\"runtimeConfig\":{\"mac\":\"" + bad + "\"}}").checkForAdd());
    assertEquals("failed to make veth pair: address " + bad + ": invalid MAC address", e.getMessage());
  }
}
