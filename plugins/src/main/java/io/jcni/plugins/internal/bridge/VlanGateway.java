package io.jcni.plugins.internal.bridge;

import io.jcni.plugins.internal.attach.Failures;
import io.jcni.plugins.internal.attach.InterfaceNames;
import io.jcni.plugins.internal.attach.Namespaces;
import io.jcni.plugins.internal.linux.VethSpec;
import static io.jcni.plugins.internal.attach.Failures.internal;
import static io.jcni.plugins.internal.attach.Failures.q;
import static io.jcni.plugins.internal.attach.Failures.v;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.linux.ErrnoException;
import io.jcni.plugins.internal.linux.Link;
import io.jcni.plugins.internal.linux.RtNetlink;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * The gateway interface of a VLAN network: a veth {@code <bridge>.<vlan>} in the host namespace whose random-named
 * peer is a bridge port on that VLAN (pvid, untagged). Shared by all attachments of the VLAN, like the bridge.
 */
final class VlanGateway {
  private VlanGateway() {}

  static Link ensure(Namespaces ns, Link br, int vlan, boolean preserveDefaultVlan) throws CniException {
    RtNetlink host = ns.hostLinks;
    String name = br.name() + "." + vlan;
    Optional<Link> existing;
    try {
      existing = host.findLink(name);
    } catch (IOException e) {
      throw internal("failed to find interface " + q(name) + ": " + v(e), e);
    }
    if (existing.isPresent()) {
      return existing.get();
    }
    String peer = null;
    for (int i = 0; i < 10 && peer == null; i++) {
      String candidate = InterfaceNames.randomVeth();
      try {
        host.createVeth(VethSpec.of(name, candidate).withMtu(br.mtu()));
        peer = candidate;
      } catch (ErrnoException e) {
        if (e.kind() != ErrnoException.Kind.EXISTS || isPresent(host, name)) {
          throw internal("faild to create vlan gateway " + q(name) + ": failed to make veth pair: " + v(e), e);
        }
      } catch (IOException e) {
        throw internal("faild to create vlan gateway " + q(name) + ": failed to make veth pair: " + v(e), e);
      }
    }
    if (peer == null) {
      throw internal("faild to create vlan gateway " + q(name) + ": failed to find a unique veth name");
    }
    try {
      Link gw = host.link(name);
      Veth.plug(host, Veth.hostSysctl(ns), new Veth.Port(vlan, List.of(), preserveDefaultVlan, false, false), br, peer,
          gw);
      host.setUp(name);
      return host.link(name);
    } catch (CniException e) {
      throw e.withPrefix("faild to create vlan gateway " + q(name) + ": ");
    } catch (IOException e) {
      throw internal("failed to up " + q(name) + ": " + v(e), e);
    }
  }

  private static boolean isPresent(RtNetlink host, String name) {
    try {
      return host.findLink(name).isPresent();
    } catch (IOException e) {
      return false;
    }
  }
}
