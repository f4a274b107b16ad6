package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Command;
import io.jcni.libcni.testing.GoPlugin;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configurations the Go bridge refuses while loading them, before it touches any namespace or link: jcni's
 * {@link BridgeConf} must refuse each with Go's message.
 */
@RequiresExecutable("/usr/lib/cni/bridge")
class BridgeConfInteropTest {
  private static final String HEAD = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"bridge\",";

  @ParameterizedTest
  @ValueSource(strings = {
    "\"mtu\":\"1500\"}",
    "\"vlan\":1.5}",
    "\"isGateway\":\"true\"}",
    "\"bridge\":5}",
    "\"ipam\":5}",
    "\"ipam\":{\"type\":5}}",
    "\"args\":5}",
    "\"args\":{\"cni\":5}}",
    "\"args\":{\"cni\":{\"mac\":5}}}",
    "\"runtimeConfig\":5}",
    "\"runtimeConfig\":{\"mac\":true}}",
    "\"dns\":5}",
    "\"dns\":{\"nameservers\":5}}",
    "\"dns\":{\"search\":[1]}}",
    "\"dns\":{\"domain\":5}}",
    "\"prevResult\":5}",
    // Go keeps the value before a later null of the same field (case-insensitive), so the check still fails.
    "\"vlan\":5000,\"VLAN\":null}",
    "\"vlan\":5000000000}",
  })
  void refusedWithGosMessage(String rest) throws Exception {
    String conf = HEAD + rest;
    String go = goRefusal(conf);
    CniException ours = assertThrows(CniException.class,
        () -> BridgeConf.parse(conf.getBytes(StandardCharsets.UTF_8), ""), conf);
    assertEquals(go, ours.getMessage(), conf);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"bridge\":\"\",\"Bridge\":null}", "\"bridge\":\"\",\"BRIDGE\":null,\"mtu\":null}"})
  void aLaterNullLeavesTheEarlierValue(String rest) throws Exception {
    String conf = HEAD + rest;
    // Go kept "" (not its default cni0), so creating the bridge fails on the empty name.
    assertEquals("failed to create bridge \"\": could not add \"\": LinkAttrs.Name cannot be empty", goRefusal(conf));
    BridgeConf c = BridgeConf.parse(conf.getBytes(StandardCharsets.UTF_8), "");
    assertEquals("", c.bridge());
    String ours = assertThrows(CniException.class, c::checkForAdd).getMessage();
    assertTrue(ours.startsWith("failed to create bridge \"\": "), ours);
  }

  /** The message of the Go bridge's refusal of an ADD of {@code conf} (it must refuse). */
  private static String goRefusal(String conf) {
    GoPlugin.Run run = GoPlugin.of("bridge")
        .run(GoPlugin.env(Command.ADD, "jt-conf", "/var/run/netns/jt-never-created", "eth0", ""), conf);
    assertNotEquals(0, run.exit(), "Go accepted " + conf);
    return run.error().getMessage();
  }
}
