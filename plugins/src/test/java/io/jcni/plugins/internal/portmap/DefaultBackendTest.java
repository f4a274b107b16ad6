package io.jcni.plugins.internal.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.netfilter.FirewallCommandException;
import io.jcni.plugins.internal.netfilter.FirewallExec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Choosing the backend when the configuration names none, as upstream's {@code ensureBackend}: iptables unless
 * iptables is unusable and nftables usable; the choice then decides which options are the wrong backend's.
 */
class DefaultBackendTest {
  /** A machine whose iptables and nft work or not as given; records the commands run. */
  private static FirewallExec machine(boolean iptables, boolean nft, List<String> ran) {
    return (argv, stdin) -> {
      ran.add(String.join(" ", argv));
      boolean works = argv.get(0).startsWith("ip") ? iptables : nft;
      if (!works) {
        throw new FirewallCommandException(argv, FirewallCommandException.NOT_STARTED, "not found", stdin, null);
      }
      return argv.contains("--version") ? "nftables v1.0.6 (Lester Gooch #5)\n" : "";
    };
  }

  private static String choose(boolean iptables, boolean nft) {
    return new DefaultBackend(machine(iptables, nft, new ArrayList<>())).get();
  }

  @Test
  void iptablesUnlessOnlyNftablesWorks() {
    assertEquals("iptables", choose(true, true));
    assertEquals("iptables", choose(true, false));
    assertEquals("iptables", choose(false, false));
    assertEquals("nftables", choose(false, true));
  }

  @Test
  void probesOnceAndOnlyWhenNeeded() throws CniException {
    List<String> ran = new ArrayList<>();
    DefaultBackend d = new DefaultBackend(machine(false, true, ran));
    byte[] named = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"backend\":\"iptables\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals("iptables", PortMapConf.parse(named, "eth0", d).backend());
    assertEquals(List.of(), ran);
    byte[] unnamed = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}".getBytes(StandardCharsets.UTF_8);
    assertEquals("nftables", PortMapConf.parse(unnamed, "eth0", d).backend());
    int probes = ran.size();
    assertEquals("nftables", PortMapConf.parse(unnamed, "eth0", d).backend());
    assertEquals(probes, ran.size());
  }

  @Test
  void theChosenBackendRefusesTheOthersOptions() {
    byte[] conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"conditionsV4\":[\"-s\",\"10.203.0.0/16\"]}"
        .getBytes(StandardCharsets.UTF_8);
    CniException e = org.junit.jupiter.api.Assertions.assertThrows(CniException.class,
        () -> PortMapConf.parse(conf, "eth0", new DefaultBackend(machine(false, true, new ArrayList<>()))));
    assertEquals("nftables backend was requested but configuration contains iptables-specific options "
        + "[conditionsV4]", e.getMessage());
  }
}
