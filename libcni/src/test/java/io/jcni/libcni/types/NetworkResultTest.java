package io.jcni.libcni.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed view of results of every shape, checked against the JSON it was read from. */
class NetworkResultTest {
  private static NetworkResult view(String json) throws CniException {
    return NetworkResult.of(Results.parse(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void result110GroupsAddressesByInterfaceName() throws Exception {
    NetworkResult r = view("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"cni0\",\"mac\":\"aa:aa:aa:aa:aa:aa\"},"
        + "{\"name\":\"eth0\",\"mac\":\"0a:58:0a:01:00:05\",\"sandbox\":\"/var/run/netns/x\"}],"
        + "\"ips\":[{\"interface\":1,\"address\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1\"},"
        + "{\"interface\":1,\"address\":\"fd00::5/64\"},{\"address\":\"192.0.2.9/32\"}],"
        + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.0.1\"}],\"dns\":{\"nameservers\":[\"10.1.0.1\"]}}");
    assertEquals("1.1.0", r.cniVersion());
    assertEquals(List.of("cni0", "eth0"), List.copyOf(r.interfaces().keySet()));
    assertEquals(List.of("eth0"), List.copyOf(r.sandboxInterfaces().keySet()));
    InterfaceConfig eth0 = r.iface("eth0").orElseThrow();
    assertEquals("0a:58:0a:01:00:05", eth0.mac());
    assertEquals("/var/run/netns/x", eth0.sandbox());
    assertEquals(List.of("10.1.0.5/24 via 10.1.0.1", "fd00::5/64"),
        eth0.ips().stream().map(IpAddress::toString).toList());
    assertEquals(List.of(), r.iface("cni0").orElseThrow().ips());
    assertEquals(3, r.ips().size());
    assertEquals("0.0.0.0/0", r.routes().get(0).dst().toString());
    assertEquals(List.of("10.1.0.1"), r.dns().nameservers());
    assertTrue(r.iface("eth1").isEmpty());
  }

  @Test
  void result040AndResult020ReadTheSameWay() throws Exception {
    NetworkResult r040 = view("{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:01:00:05\","
        + "\"sandbox\":\"/ns\"}],\"ips\":[{\"version\":\"4\",\"interface\":0,\"address\":\"10.1.0.5/24\","
        + "\"gateway\":\"10.1.0.1\"}],\"dns\":{}}");
    assertEquals("0.4.0", r040.cniVersion());
    assertEquals("10.1.0.5/24 via 10.1.0.1", r040.iface("eth0").orElseThrow().ips().get(0).toString());

    NetworkResult r020 = view("{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.1.0.5/24\",\"gateway\":\"10.1.0.1\","
        + "\"routes\":[{\"dst\":\"0.0.0.0/0\"}]},\"dns\":{}}");
    assertEquals("0.2.0", r020.cniVersion());
    assertTrue(r020.interfaces().isEmpty()); // 0.2.0 names no interface
    assertEquals("10.1.0.5/24 via 10.1.0.1", r020.ips().get(0).toString());
    assertEquals("0.0.0.0/0", r020.routes().get(0).dst().toString());
  }
}
