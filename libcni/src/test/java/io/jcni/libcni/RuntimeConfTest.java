package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RuntimeConf: CNI_ARGS rendering as Go's invoke.Args and defensive copies. */
class RuntimeConfTest {
  @Test
  void argsAreJoinedUnescapedInOrder() {
    RuntimeConf rt = RuntimeConf.of("c", "/ns", "eth0")
        .withArgs(List.of(Map.entry("IgnoreUnknown", "1"), Map.entry("K8S_POD_NAME", "a;b=c")));
    assertEquals("IgnoreUnknown=1;K8S_POD_NAME=a;b=c", rt.argsString());
    assertEquals("", RuntimeConf.of("c", "/ns", "eth0").argsString());
  }

  @Test
  void nullsBecomeEmptyAndInputsAreCopied() {
    List<Map.Entry<String, String>> args = new ArrayList<>(List.of(Map.entry("A", "1")));
    Map<String, Object> caps = new HashMap<>(Map.of("mac", "x"));
    RuntimeConf rt = new RuntimeConf(null, null, null, args, caps, null);
    args.add(Map.entry("B", "2"));
    caps.put("ips", List.of());
    assertEquals("", rt.containerId());
    assertEquals("", rt.netNs());
    assertEquals("A=1", rt.argsString());
    assertEquals(Map.of("mac", "x"), rt.capabilityArgs());
    assertThrows(UnsupportedOperationException.class, () -> rt.capabilityArgs().put("x", 1));
    assertEquals(List.of(), new RuntimeConf("c", "n", "i", null, null, null).args());
  }
}
