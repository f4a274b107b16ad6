package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Upstream's timeout cases: every operation on test-bin/sleep (which never answers) ends, once the time limit
 * passes, with a timed-out error (code 11) naming the plugin and the limit, and leaves no cache behind.
 */
class CniConfigTimeoutTest {
  @TempDir Path tmp;
  CniConfig cni;
  PluginConf net;
  NetworkConfigList list;
  RuntimeConf rt = RuntimeConf.of("some-container-id", "/some/netns/path", "eth0");

  interface Op {
    void run(CniConfigTimeoutTest t) throws CniException;
  }

  @BeforeEach
  void setUp() throws Exception {
    cni = CniConfig.builder().path(List.of(TestBin.dir().toString())).cacheDir(tmp.resolve("cache"))
        .timeout(Duration.ofMillis(300)).build();
    net = ConfLoader.pluginConfFromBytes(
        "{\"type\":\"sleep\",\"name\":\"sleepy\",\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
    list = ConfLoader.confListFromBytes(("{\"name\":\"sleepy\",\"cniVersion\":\"1.0.0\",\"plugins\":"
        + "[{\"type\":\"sleep\"},{\"type\":\"sleep\"}]}").getBytes(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> ops() {
    return Stream.of(
        Arguments.of("AddNetwork", (Op) t -> t.cni.addNetwork(t.net, t.rt)),
        Arguments.of("CheckNetwork", (Op) t -> t.cni.checkNetwork(t.net, t.rt)),
        Arguments.of("DelNetwork", (Op) t -> t.cni.delNetwork(t.net, t.rt)),
        Arguments.of("GetVersionInfo", (Op) t -> t.cni.getVersionInfo("sleep")),
        Arguments.of("ValidateNetwork", (Op) t -> t.cni.validateNetwork(t.net)),
        Arguments.of("AddNetworkList", (Op) t -> t.cni.addNetworkList(t.list, t.rt)),
        Arguments.of("CheckNetworkList", (Op) t -> t.cni.checkNetworkList(t.list, t.rt)),
        Arguments.of("DelNetworkList", (Op) t -> t.cni.delNetworkList(t.list, t.rt)),
        Arguments.of("ValidateNetworkList", (Op) t -> t.cni.validateNetworkList(t.list)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void endsTimedOut(String name, Op op) {
    CniException e = assertThrows(CniException.class, () -> op.run(this));
    if (!name.equals("ValidateNetworkList")) {
      // ValidateNetworkList joins the errors of all plugins into one plain error, as Go's does
      assertTrue(e.isTimeout(), e.getMessage());
      assertEquals(11, e.code(), e.getMessage());
    }
    assertTrue(e.getMessage().contains("plugin " + TestBin.plugin("sleep") + " timed out after 300ms"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("cache/results/sleepy-some-container-id-eth0")));
  }

  @org.junit.jupiter.api.Test
  void execTimeoutLimitsEachPluginRunWithinALongerOperationLimit() {
    CniConfig perExec = CniConfig.builder().path(List.of(TestBin.dir().toString())).cacheDir(tmp.resolve("cache"))
        .timeout(Duration.ofMinutes(5)).execTimeout(Duration.ofMillis(200)).build();
    long start = System.nanoTime();
    CniException e = assertThrows(CniException.class, () -> perExec.addNetwork(net, rt));
    assertTrue(e.isTimeout(), e.getMessage());
    assertTrue(e.getMessage().contains("plugin " + TestBin.plugin("sleep") + " timed out after 200ms"), e.getMessage());
    assertEquals("sleep", e.pluginType().orElseThrow());
    assertEquals("ADD", e.cniCommand().orElseThrow());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMinutes(1)) < 0);
  }
}
