package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.IpConfig;
import io.jcni.libcni.types.IpNet;
import io.jcni.libcni.types.Route;
import java.util.List;
import org.junit.jupiter.api.Test;

/** calcGateways against the expectations of upstream's bridge_test (gateway .1, one default route per family). */
class GatewaysTest {

  private static IpConfig ip(String cidr, String gw) throws Exception {
    return IpConfig.of(null, IpNet.parse(cidr), gw == null ? null : Ips.parse(gw));
  }

  private static Route route(String dst, String gw) throws Exception {
    return Route.of(IpNet.parse(dst), gw == null ? null : Ips.parse(gw));
  }

  @Test
  void defaultGatewayPerFamily() throws Exception {
    Gateways g = Gateways.calc(
        List.of(ip("10.1.2.2/24", null), ip("2001:db8::2/64", null), ip("2001:db8:1::2/64", null)),
        List.of(), true, true);
    assertEquals(
        List.of(ip("10.1.2.2/24", "10.1.2.1"), ip("2001:db8::2/64", "2001:db8::1"), ip("2001:db8:1::2/64", "2001:db8:1::1"))
            .stream().map(i -> IpConfig.of(2, i.address(), i.gateway())).toList(),
        g.ips());
    assertEquals(List.of(route("0.0.0.0/0", "10.1.2.1"), route("::/0", "2001:db8::1")), g.routes());
    assertEquals(List.of(IpNet.parse("10.1.2.1/24")), g.v4Gateways());
    assertEquals(List.of(IpNet.parse("2001:db8::1/64"), IpNet.parse("2001:db8:1::1/64")), g.v6Gateways());
  }

  @Test
  void ipamGatewayIsKeptAndAnIpamDefaultRouteWithGatewayWins() throws Exception {
    Gateways g = Gateways.calc(List.of(ip("10.1.2.7/24", "10.1.2.254")),
        List.of(route("0.0.0.0/0", "10.1.2.100")), true, true);
    assertEquals("10.1.2.254", Ips.format(g.ips().get(0).gateway()));
    assertEquals(List.of(route("0.0.0.0/0", "10.1.2.100")), g.routes());
    assertEquals(List.of(IpNet.parse("10.1.2.254/24")), g.v4Gateways());
  }

  @Test
  void anIpamDefaultRouteWithoutGatewayStillGetsOurs() throws Exception {
    // cni#629 behaviour: only a default route naming a gateway counts
    Gateways g = Gateways.calc(List.of(ip("10.1.2.7/24", null)), List.of(route("0.0.0.0/0", null)), true, true);
    assertEquals(List.of(route("0.0.0.0/0", null), route("0.0.0.0/0", "10.1.2.1")), g.routes());
  }

  @Test
  void withoutGatewayFlagsNothingIsAdded() throws Exception {
    Gateways g = Gateways.calc(List.of(ip("10.1.2.7/24", null)), List.of(route("10.9.0.0/16", null)), false, false);
    assertNull(g.ips().get(0).gateway());
    assertEquals(2, g.ips().get(0).interfaceIndex());
    assertEquals(List.of(route("10.9.0.0/16", null)), g.routes());
    assertEquals(List.of(), g.v4Gateways());
  }

  @Test
  void gatewayOfAWideAndANarrowNetwork() throws Exception {
    assertEquals("10.0.0.1", Ips.format(Gateways.firstHost(IpNet.parse("10.3.4.5/8"))));
    assertEquals("2001:db8::1", Ips.format(Gateways.firstHost(IpNet.parse("2001:db8::abcd/64"))));
    assertEquals("10.1.1.0", Ips.format(Gateways.firstHost(IpNet.parse("10.1.0.255/32"))));
  }
}
