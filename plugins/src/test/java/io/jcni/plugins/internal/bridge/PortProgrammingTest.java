package io.jcni.plugins.internal.bridge;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.jcni.plugins.internal.linux.BridgeVlan;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.OperState;
import io.jcni.plugins.internal.linux.RtNetlink;
import io.jcni.plugins.internal.linux.Sysctl;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/**
 * The netlink calls that make a bridge port, in the order and with the flags of upstream's {@code setupVeth}
 * (master, hairpin, isolation, default VLAN removal, access VLAN as pvid+untagged, trunk VLANs tagged, native
 * VLAN 1 for a trunk without access VLAN). This machine's kernel has no bridge VLAN filtering, so the VLAN steps
 * are checked against a recording rtnetlink here; the privileged tests check everything else on real links.
 */
class PortProgrammingTest {
  private RtNetlink host;
  private Sysctl sysctl;
  private final Link br = new Link(7, "cni0", "bridge", 1500, "02:00:00:00:00:07", 1, OperState.UP, 0, true, 0, -1);
  private final Link cont = new Link(2, "eth0", "veth", 1500, "02:00:00:00:00:02", 0, OperState.DOWN, 0, false, 9, 0);
  private final Link peer = new Link(9, "vethabcd0123", "veth", 1500, "02:00:00:00:00:09", 1, OperState.UP, 0, false,
      2, 0);

  @BeforeEach
  void setUp() throws Exception {
    host = mock(RtNetlink.class);
    sysctl = mock(Sysctl.class);
    when(host.link("vethabcd0123")).thenReturn(peer);
    when(host.bridgeVlans("vethabcd0123")).thenReturn(List.of(new BridgeVlan(1, true, true)));
  }

  private Veth plug(Veth.Port port) throws Exception {
    return Veth.plug(host, sysctl, port, br, "vethabcd0123", cont);
  }

  @Test
  void plainPort() throws Exception {
    Veth v = plug(new Veth.Port(0, List.of(), false, true, true));
    InOrder o = inOrder(host, sysctl);
    o.verify(host).setUp("vethabcd0123");
    o.verify(sysctl).write("net/ipv6/conf/vethabcd0123/accept_ra", "0");
    o.verify(host).setMaster("vethabcd0123", 7);
    o.verify(host).setHairpin("vethabcd0123", true);
    o.verify(host).setIsolated("vethabcd0123", true);
    verify(host, never()).bridgeVlanAdd(anyString(), any(), anyBoolean());
    verify(host, never()).bridgeVlanDel(anyString(), anyInt());
    org.junit.jupiter.api.Assertions.assertEquals(new Veth("vethabcd0123", "02:00:00:00:00:09", 2, "02:00:00:00:00:02"), v);
  }

  @Test
  void accessVlanReplacesTheDefaultVlan() throws Exception {
    plug(new Veth.Port(100, List.of(), false, false, false));
    InOrder o = inOrder(host);
    o.verify(host).setMaster("vethabcd0123", 7);
    // a new port has hairpin and isolation off: only turning them on is written
    verify(host, never()).setHairpin(anyString(), anyBoolean());
    verify(host, never()).setIsolated(anyString(), anyBoolean());
    o.verify(host).bridgeVlanDel("vethabcd0123", 1);
    o.verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(100, true, true), false);
    verify(host, never()).bridgeVlanAdd("vethabcd0123", new BridgeVlan(1, true, true), false);
  }

  @Test
  void accessVlanKeepingTheDefaultVlan() throws Exception {
    plug(new Veth.Port(100, List.of(), true, false, false));
    verify(host, never()).bridgeVlanDel(anyString(), anyInt());
    verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(100, true, true), false);
  }

  @Test
  void trunkGetsTaggedVlansAndNativeVlan1() throws Exception {
    plug(new Veth.Port(0, List.of(101, 200, 201), false, false, false));
    InOrder o = inOrder(host);
    o.verify(host).bridgeVlanDel("vethabcd0123", 1);
    o.verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(101, false, false), false);
    o.verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(200, false, false), false);
    o.verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(201, false, false), false);
    o.verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(1, true, true), false);
  }

  @Test
  void accessVlanWithTrunkHasNoNativeVlan1() throws Exception {
    plug(new Veth.Port(100, List.of(101), false, false, false));
    InOrder o = inOrder(host);
    o.verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(100, true, true), false);
    o.verify(host).bridgeVlanAdd("vethabcd0123", new BridgeVlan(101, false, false), false);
    verify(host, never()).bridgeVlanAdd("vethabcd0123", new BridgeVlan(1, true, true), false);
  }
}
