package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Backend choice and the "errors count only for a supported backend" rule, with scripted programs. */
class IpMasqBackendTest {
  /** Pretends to be a machine where the programs matching {@code works} succeed and all others fail. */
  private static final class ScriptedExec implements FirewallExec {
    final Predicate<List<String>> works;
    final String nftVersion;
    final List<List<String>> calls = new ArrayList<>();

    ScriptedExec(Predicate<List<String>> works, String nftVersion) {
      this.works = works;
      this.nftVersion = nftVersion;
    }

    @Override
    public String run(List<String> argv, String stdin) throws FirewallCommandException {
      calls.add(argv);
      if (!works.test(argv)) {
        throw new FirewallCommandException(argv, 1, "Permission denied (you must be root)", stdin, null);
      }
      if (argv.equals(List.of("nft", "--version"))) {
        return nftVersion;
      }
      if (argv.get(0).endsWith("-save")) {
        return "*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n";
      }
      return "";
    }
  }

  private static boolean isIptables(List<String> argv) {
    return argv.get(0).contains("tables");
  }

  private static boolean isNft(List<String> argv) {
    return argv.get(0).equals("nft");
  }

  @Test
  void parsesConfigValues() throws CniException {
    assertNull(IpMasqBackend.parse(null));
    assertEquals(IpMasqBackend.IPTABLES, IpMasqBackend.parse("iptables"));
    assertEquals(IpMasqBackend.NFTABLES, IpMasqBackend.parse("nftables"));
  }

  @Test
  void unknownBackendUsesUpstreamMessage() {
    CniException e = assertThrows(CniException.class, () -> IpMasqBackend.parse("ebtables"));
    assertEquals("unknown ipmasq backend \"ebtables\"", e.getMessage());
    assertEquals(ErrorCode.INVALID_NETWORK_CONFIG, e.errorCode());
    // Go's *string is set for "", and "" is no backend name.
    assertEquals("unknown ipmasq backend \"\"",
        assertThrows(CniException.class, () -> IpMasq.forConfig("")).getMessage());
  }

  @Test
  void autoPrefersIptablesWhenBothWork() {
    ScriptedExec exec = new ScriptedExec(a -> true, "nftables v1.0.6 (Lester Gooch #5)");
    assertEquals(IpMasqBackend.IPTABLES, new IpMasq(null, exec).backend());
  }

  @Test
  void autoPicksNftablesOnlyWhenIptablesFailsAndNftWorks() {
    ScriptedExec exec = new ScriptedExec(IpMasqBackendTest::isNft, "nftables v1.0.6 (Lester Gooch #5)");
    assertEquals(IpMasqBackend.NFTABLES, new IpMasq(null, exec).backend());
  }

  @Test
  void autoFallsBackToIptablesWhenNeitherWorks() {
    ScriptedExec exec = new ScriptedExec(a -> false, "");
    assertEquals(IpMasqBackend.IPTABLES, new IpMasq(null, exec).backend());
  }

  @Test
  void nftOlderThan101IsUnsupported() {
    ScriptedExec exec = new ScriptedExec(IpMasqBackendTest::isNft, "nftables v1.0.0 (Fearless Fosdick #2)");
    assertEquals(IpMasqBackend.IPTABLES, new IpMasq(null, exec).backend());
    assertTrue(IpMasqBackend.NFTABLES.isSupported(
        new ScriptedExec(IpMasqBackendTest::isNft, "nftables v1.0.1 (Fearless Fosdick #3)")));
  }

  @Test
  void configuredBackendIsNotProbed() {
    ScriptedExec exec = new ScriptedExec(a -> true, "");
    assertEquals(IpMasqBackend.NFTABLES, new IpMasq(IpMasqBackend.NFTABLES, exec).backend());
    assertEquals(List.of(), exec.calls);
  }

  @Test
  void teardownIgnoresErrorsOfUnsupportedBackend() {
    // nft fails everywhere (not installed): its teardown error must not surface.
    ScriptedExec exec = new ScriptedExec(IpMasqBackendTest::isIptables, "");
    IpMasq m = new IpMasq(null, exec);
    assertDoesNotThrow(() -> m.teardown("mynet", "dummy", "eth0", Cidrs.of("10.250.1.2/24")));
  }

  @Test
  void teardownReportsErrorsOfSupportedBackend() {
    // nft works for probing but the listing fails with a real error: that counts.
    ScriptedExec exec = new ScriptedExec(a -> !(isNft(a) && a.contains("list")), "nftables v1.0.6 (Lester Gooch #5)");
    IpMasq m = new IpMasq(null, exec);
    CniException e = assertThrows(CniException.class,
        () -> m.teardown("mynet", "dummy", "eth0", Cidrs.of("10.250.1.2/24")));
    assertTrue(e.getMessage().startsWith("running [nft -j list chain inet cni_plugins_masquerade masq_checks]"),
        e.getMessage());
    assertEquals(ErrorCode.INTERNAL, e.errorCode());
  }
}
