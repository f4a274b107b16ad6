package io.jcni.libcni.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The capability builder writes the JSON shapes of CNI's CONVENTIONS.md; CNI_ARGS in map form keep their order. */
class CapabilitiesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void conventionShapes() throws Exception {
    Capabilities c = Capabilities.builder()
        .portMapping(8080, 80, "tcp")
        .portMapping(new Capabilities.PortMapping(8000, 8001, "UDP", "127.0.0.1"))
        .bandwidth(1000, 2000, 3000, 4000)
        .ipRanges(List.of(List.of(new Capabilities.IpRange("10.1.0.0/16", "10.1.1.1", "10.1.1.9", "10.1.0.1"))))
        .ips(List.of("10.10.0.1/24", "3ffe::2"))
        .mac("c2:11:22:33:44:55")
        .dns(List.of("10.0.0.10"), List.of("svc.local"), List.of("ndots:5"))
        .aliases(List.of("web"))
        .cgroupPath("/kubepods/pod1")
        .infinibandGuid("c2:11:22:33:44:55:66:77")
        .deviceId("0000:04:00.5")
        .build();
    assertEquals(JSON.writeValueAsString(JSON.readTree("{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
        + "{\"hostPort\":8000,\"containerPort\":8001,\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"}],"
        + "\"bandwidth\":{\"ingressRate\":1000,\"ingressBurst\":2000,\"egressRate\":3000,\"egressBurst\":4000},"
        + "\"ipRanges\":[[{\"subnet\":\"10.1.0.0/16\",\"rangeStart\":\"10.1.1.1\",\"rangeEnd\":\"10.1.1.9\","
        + "\"gateway\":\"10.1.0.1\"}]],\"ips\":[\"10.10.0.1/24\",\"3ffe::2\"],\"mac\":\"c2:11:22:33:44:55\","
        + "\"dns\":{\"servers\":[\"10.0.0.10\"],\"searches\":[\"svc.local\"],\"options\":[\"ndots:5\"]},"
        + "\"aliases\":[\"web\"],\"cgroupPath\":\"/kubepods/pod1\",\"infinibandGUID\":\"c2:11:22:33:44:55:66:77\","
        + "\"deviceID\":\"0000:04:00.5\"}")), JSON.writeValueAsString(c.asMap()));
  }

  @Test
  void badPortIsRefusedNamingTheField() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Capabilities.builder().portMapping(0, 80, "tcp"));
    assertEquals("portMappings: hostPort 0 is not a port (1-65535)", e.getMessage());
  }

  @Test
  void cniArgsFromAMapKeepOrderAndRefuseSeparators() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("K8S_POD_NAMESPACE", "ns");
    labels.put("K8S_POD_NAME", "web-0");
    NetworkRequest r = NetworkRequest.of("net", "eth0").withCniArgs(labels)
        .withCapabilities(Capabilities.builder().mac("c2:11:22:33:44:55").build());
    assertEquals(List.of(Map.entry("K8S_POD_NAMESPACE", "ns"), Map.entry("K8S_POD_NAME", "web-0")), r.cniArgs());
    assertEquals(labels, r.cniArgsMap());
    assertEquals(Map.of("mac", "c2:11:22:33:44:55"), r.capabilityArgs());
    assertThrows(IllegalArgumentException.class,
        () -> NetworkRequest.of("net", "eth0").withCniArgs(Map.of("A", "b;c")));
  }
}
