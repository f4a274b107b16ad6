package io.jcni.plugins.internal.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.CniConfig;
import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.RuntimeConf;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.TestNetns;
import io.jcni.libcni.types.CniException;
import io.jcni.plugins.internal.hostlocal.HostLocalPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An in-process ADD stopped by its deadline or by an interrupt while host-local waits for its store lock (held by
 * another process with {@code flock(1)}): the operation fails recognisably, names what it waited for, and the
 * bridge's veth pair is undone even though the thread was interrupted.
 */
@RequiresCapabilities
class CancelledAddTest {

  private static NetworkConfigList list(BridgeEnv env) throws Exception {
    String conflist = "{\"cniVersion\":\"1.1.0\",\"name\":\"" + env.network + "\",\"plugins\":[{\"type\":\"bridge\","
        + "\"bridge\":\"" + env.bridge + "\",\"isGateway\":true,\"ipam\":{\"type\":\"host-local\",\"dataDir\":\""
        + env.dataDir + "\",\"subnet\":\"10.244.0.0/24\"}}]}";
    return ConfLoader.confListFromBytes(conflist.getBytes(StandardCharsets.UTF_8));
  }

  private static CniConfig cni(BridgeEnv env, Duration timeout) throws Exception {
    PluginRegistry registry = PluginRegistry.empty().register(env.plugin).register(new HostLocalPlugin());
    return CniConfig.builder().path(List.of()).cacheDir(Files.createTempDirectory(env.dataDir, "cache"))
        .inline(registry, type -> true).timeout(timeout).build();
  }

  /** Holds the store's lock from another process until the returned process is destroyed. */
  private static Process holdStoreLock(BridgeEnv env) throws Exception {
    Path lock = Files.createDirectories(env.store()).resolve("lock");
    Process p = new ProcessBuilder("flock", lock.toString(), "sh", "-c", "echo held; exec sleep 60").start();
    assertEquals("held", new String(p.getInputStream().readNBytes(4), StandardCharsets.UTF_8));
    return p;
  }

  @Test
  @Timeout(60)
  void aTimedOutAddSaysWhatItWaitedForAndLeavesNothing() throws Exception {
    try (BridgeEnv env = BridgeEnv.create()) {
      Process holder = holdStoreLock(env);
      try {
        TestNetns c = env.container();
        CniConfig cni = cni(env, Duration.ofMillis(800));
        CniException e = org.junit.jupiter.api.Assertions.assertThrows(CniException.class,
            () -> cni.addNetworkList(list(env), RuntimeConf.of("late", c.path(), "eth0")));
        assertTrue(e.isTimeout(), e.toString());
        assertEquals(11, e.code());
        assertTrue(e.getMessage().startsWith("plugin type=\"bridge\" failed (add): "), e.getMessage());
        // The lock wait got what was left of the operation's 800 ms.
        assertTrue(e.getMessage().matches(".*timed out after [1-8][0-9]{0,2}ms waiting for the lock on "
            + java.util.regex.Pattern.quote(env.store().toString())), e.getMessage());
        assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
        assertEquals(List.of("lo", env.bridge), BridgeEnv.linkNames(env.hostNs));
      } finally {
        holder.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  @Timeout(60)
  void anInterruptedAddIsStillUndoneAndKeepsTheFlag() throws Exception {
    try (BridgeEnv env = BridgeEnv.create()) {
      Process holder = holdStoreLock(env);
      try {
        TestNetns c = env.container();
        CniConfig cni = cni(env, null);
        NetworkConfigList list = list(env);
        CompletableFuture<Object[]> outcome = new CompletableFuture<>();
        Thread t = new Thread(() -> {
          try {
            cni.addNetworkList(list, RuntimeConf.of("cancelled", c.path(), "eth0"));
            outcome.complete(new Object[] {null, Thread.currentThread().isInterrupted()});
          } catch (CniException e) {
            outcome.complete(new Object[] {e, Thread.currentThread().isInterrupted()});
          }
        });
        t.start();
        // Interrupt once host-local waits: the veth pair exists by then.
        for (int i = 0; i < 200 && !BridgeEnv.linkNames(c).contains("eth0"); i++) {
          Thread.sleep(25);
        }
        assertTrue(BridgeEnv.linkNames(c).contains("eth0"), "the ADD never got to its IPAM");
        Thread.sleep(200);
        t.interrupt();
        Object[] got = outcome.get(30, TimeUnit.SECONDS);
        CniException e = (CniException) got[0];
        assertTrue(e != null && e.isCancelled(), String.valueOf(e));
        assertTrue(e.getMessage().contains("cancelled while waiting for the lock on " + env.store()), e.getMessage());
        assertTrue((Boolean) got[1], "the interrupt flag is set again after the undo");
        assertEquals(List.of("lo"), BridgeEnv.linkNames(c));
        assertFalse(BridgeEnv.linkNames(env.hostNs).stream().anyMatch(n -> n.startsWith("veth")),
            BridgeEnv.linkNames(env.hostNs).toString());
      } finally {
        holder.destroyForcibly().waitFor();
      }
    }
  }
}
