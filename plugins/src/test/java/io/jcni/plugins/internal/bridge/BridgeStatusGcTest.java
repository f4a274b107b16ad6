package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** STATUS and GC: version gate and delegation to the IPAM plugin only (no kernel work, no privileges). */
class BridgeStatusGcTest {
  /** An IPAM stand-in that records what reached it and can be told to fail. */
  static final class FakeIpam implements CniPlugin {
    final java.util.List<String> seen = new java.util.ArrayList<>();
    CniException failWith;

    @Override
    public String type() {
      return "fake-ipam";
    }

    @Override
    public List<String> supportedVersions() {
      return List.of("1.1.0");
    }

    @Override
    public ObjectNode addResult(CmdArgs args, PluginContext ctx) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void check(CmdArgs args, PluginContext ctx) {}

    @Override
    public void del(CmdArgs args, PluginContext ctx) {}

    @Override
    public void status(CmdArgs args, PluginContext ctx) throws CniException {
      seen.add("STATUS " + new String(args.stdinData(), StandardCharsets.UTF_8));
      if (failWith != null) {
        throw failWith;
      }
    }

    @Override
    public void gc(CmdArgs args, PluginContext ctx) throws CniException {
      seen.add("GC " + new String(args.stdinData(), StandardCharsets.UTF_8));
    }
  }

  private static CmdArgs args(String conf) {
    return new CmdArgs("", "", "", "", List.of(), conf.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void statusNeedsConfigVersion110() {
    BridgePlugin p = new BridgePlugin();
    for (String v : new String[] {"1.0.0", "0.4.0", ""}) {
      CniException e = assertThrows(CniException.class,
          () -> p.status(args("{\"cniVersion\":\"" + v + "\",\"name\":\"n\",\"type\":\"bridge\"}"), TestContext.execOnly()));
      assertEquals(ErrorCode.INCOMPATIBLE_CNI_VERSION, e.errorCode());
      assertEquals("config version does not allow STATUS", e.getMessage());
    }
  }

  @Test
  void statusAndGcGoToTheIpamPluginWithTheSameStdin() throws Exception {
    FakeIpam ipam = new FakeIpam();
    TestContext ctx = new TestContext(Map.of("fake-ipam", ipam));
    String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{\"type\":\"fake-ipam\"}}";
    BridgePlugin p = new BridgePlugin();
    p.status(args(conf), ctx);
    p.gc(args(conf), ctx);
    assertEquals(List.of("STATUS " + conf, "GC " + conf), ipam.seen);

    ipam.failWith = new CniException(ErrorCode.PLUGIN_NOT_AVAILABLE, "pool exhausted");
    CniException e = assertThrows(CniException.class, () -> p.status(args(conf), ctx));
    assertEquals(ErrorCode.PLUGIN_NOT_AVAILABLE, e.errorCode());
  }

  @Test
  void layer2StatusAndGcAreReadyWithoutIpam() throws Exception {
    TestContext ctx = TestContext.execOnly();
    String conf = "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{}}";
    new BridgePlugin().status(args(conf), ctx);
    new BridgePlugin().gc(args(conf), ctx);
    assertEquals(List.of(), ctx.calls);
  }

  @Test
  void badInterfaceNamesAreRefusedBeforeAnyWork() {
    String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"}";
    CmdArgs a = new CmdArgs("c", "/x", "eth0:1", "", List.of(), conf.getBytes(StandardCharsets.UTF_8));
    CniException e = assertThrows(CniException.class, () -> new BridgePlugin().add(a, TestContext.execOnly()));
    assertEquals(ErrorCode.INVALID_ENVIRONMENT_VARIABLES, e.errorCode());
    assertEquals("invalid CNI_IFNAME \"eth0:1\": contains ':'", e.getMessage());
  }

  @Test
  void typeAndVersions() {
    BridgePlugin p = new BridgePlugin();
    assertEquals("bridge", p.type());
    assertEquals(List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"), p.supportedVersions());
  }
}
