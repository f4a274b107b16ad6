package io.jcni.plugins.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The portmap configuration: defaults, upstream's error texts, and which prevResult addresses are used. */
class PortMapConfTest {
  private static final String PREV = ",\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\","
      + "\"sandbox\":\"/x\"},{\"name\":\"host0\"}],\"ips\":[{\"address\":\"10.201.0.9/24\",\"interface\":1},"
      + "{\"address\":\"10.201.0.5/24\",\"interface\":0},{\"address\":\"10.201.0.6/24\",\"interface\":0}]}";

  private static PortMapConf parse(String members) throws CniException {
    return PortMapConf.parse(("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"portmap\"" + members + "}")
        .getBytes(StandardCharsets.UTF_8), "eth0");
  }

  private static String error(String members) {
    CniException e = assertThrows(CniException.class, () -> parse(members));
    return e.getMessage();
  }

  @Test
  void defaults() throws CniException {
    PortMapConf c = parse(PREV);
    assertEquals(true, c.snat());
    assertEquals(13, c.markMasqBit());
    assertEquals("iptables", c.backend());
    assertNull(c.conditionsV4());
    // the first address of CNI_IFNAME's sandbox interface; host0's is skipped
    assertEquals("10.201.0.5/24", c.containerV4().toString());
    assertNull(c.containerV6());
  }

  @Test
  void upstreamErrors() {
    assertEquals("Cannot specify externalSetMarkChain and markMasqBit",
        error(",\"markMasqBit\":3,\"externalSetMarkChain\":\"X\""));
    assertEquals("MasqMarkBit must be between 0 and 31", error(",\"markMasqBit\":32"));
    assertEquals("nftables backend was requested but configuration contains iptables-specific options "
        + "[externalSetMarkChain conditionsV4]",
        error(",\"backend\":\"nftables\",\"externalSetMarkChain\":\"X\",\"conditionsV4\":[\"-s\",\"1.2.3.4\"]"));
    assertEquals("iptables backend was requested but configuration contains nftables-specific options "
        + "[conditionsV6]", error(",\"conditionsV6\":[\"ip6 saddr ::1\"]"));
    assertEquals("unrecognized backend \"pf\"", error(",\"backend\":\"pf\""));
    assertEquals("Invalid container port number: 0",
        error(",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":1,\"protocol\":\"tcp\"}]}"));
    assertEquals("Invalid host port number: -1",
        error(",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":-1,\"containerPort\":1}]}"));
    CniException e = assertThrows(CniException.class, () -> parse(",\"snat\":\"yes\""));
    assertEquals(ErrorCode.DECODING_FAILURE, e.errorCode());
    assertEquals("failed to parse network configuration: json: cannot unmarshal string into Go struct field "
        + "PortMapConf.snat of type bool", e.getMessage());
  }

  @Test
  void dnatChainNameAndRules() throws CniException {
    // the name Go 1.1.1 gave network "pmnet", container "ctr1"
    assertEquals("CNI-DN-323d23e06ba2fdaccfbf7", DnatChain.nameFor("pmnet", "ctr1"));
    PortMapConf c = parse(",\"masqAll\":true,\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,"
        + "\"containerPort\":80,\"protocol\":\"tcp\"}]}" + PREV);
    DnatChain dn = DnatChain.of(c, "id", c.containerV4());
    assertEquals("[[-p tcp --dport 8080 -s 0.0.0.0/0 -j CNI-HOSTPORT-SETMARK] "
        + "[-p tcp --dport 8080 -j DNAT --to-destination 10.201.0.5:80]]", DnatChain.goFormat(dn.rules()));
  }
}
