package io.jcni.plugins.internal.attach;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InterfaceNamesTest {

  @Test
  void randomVethNamesAreVethPlusEightHexAndVary() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String n = InterfaceNames.randomVeth();
      assertTrue(n.matches("veth[0-9a-f]{8}"), n);
      assertNull(InterfaceNames.check(n));
      seen.add(n);
    }
    // 200 draws from 2^32 collide with probability ~5e-6
    assertEquals(200, seen.size());
  }

  @Test
  void kernelNameRules() {
    assertNull(InterfaceNames.check("cni0"));
    assertNull(InterfaceNames.check("abcdefghijklmno"));
    assertNotNull(InterfaceNames.check("abcdefghijklmnop"));
    assertNotNull(InterfaceNames.check(""));
    assertNotNull(InterfaceNames.check("."));
    assertNotNull(InterfaceNames.check(".."));
    assertNotNull(InterfaceNames.check("a/b"));
    assertNotNull(InterfaceNames.check("a:b"));
    assertNotNull(InterfaceNames.check("a\tb"));
  }
}
