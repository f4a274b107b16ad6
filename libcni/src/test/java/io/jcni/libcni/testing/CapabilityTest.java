package io.jcni.libcni.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Capability#effective()} against the kernel's text. */
class CapabilityTest {
  @Test
  void readsTheEffectiveMaskNotTheOthers() {
    String status = "Name:\tjava\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
        + "CapEff:\t0000000000201000\nCapBnd:\t000001ffffffffff\n";
    assertEquals(EnumSet.of(Capability.NET_ADMIN, Capability.SYS_ADMIN), Capability.effective(status));
    assertEquals(EnumSet.of(Capability.NET_RAW), Capability.effective("CapEff:\t0000000000002000\n"));
    assertEquals(Set.of(), Capability.effective("CapEff:\t0000000000000000\n"));
  }
}
