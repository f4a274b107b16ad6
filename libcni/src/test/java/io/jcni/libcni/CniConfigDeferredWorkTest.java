package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.CniPlugin;
import io.jcni.libcni.spi.Deferred;
import io.jcni.libcni.spi.PluginContext;
import io.jcni.libcni.spi.PluginRegistry;
import io.jcni.libcni.types.CniException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work the in-process plugins of one ADD defer ({@link PluginContext#defer}) is completed after the last of them,
 * together where it combines, before any exec'd plugin, and never when the ADD fails first; a failed completion
 * fails the ADD with its plugin's name and rolls every plugin back. The order of events is read from one log that
 * the plugins, their work and an exec'd plugin binary all append to.
 */
class CniConfigDeferredWorkTest {
  @TempDir Path tmp;
  private Path log;

  @BeforeEach
  void setUp() throws IOException {
    log = tmp.resolve("log");
    Files.createFile(log);
    // an exec'd plugin that logs its ADD and passes its prevResult on
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path x = bin.resolve("jt-exec");
    Files.writeString(x, "#!/bin/sh\nif [ \"$CNI_COMMAND\" != VERSION ]; then echo \"exec $CNI_COMMAND\" >> " + log
        + "; fi\ncat >/dev/null\nif [ \"$CNI_COMMAND\" = ADD ]; then printf '{\"cniVersion\":\"1.0.0\"}'; fi\n");
    Files.setPosixFilePermissions(x, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private void logLine(String line) {
    try {
      Files.writeString(log, line + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> events() throws IOException {
    return Files.readAllLines(log).stream().filter(l -> !l.isBlank()).collect(Collectors.toList());
  }

  /**
   * Work that logs how it was completed; combines with other such work unless {@code alone}; {@code finish} (null,
   * "ok" or "fails") says whether what follows it logs and whether it fails.
   */
  private final class Work implements Deferred {
    final String name;
    final boolean alone;
    final boolean fails;
    final String finish;

    Work(String name, boolean alone, boolean fails, String finish) {
      this.name = name;
      this.alone = alone;
      this.fails = fails;
      this.finish = finish;
    }

    @Override
    public void finish() throws CniException {
      if (finish != null) {
        logLine("finish " + name + (finish.equals("fails") ? " fails" : ""));
        if (finish.equals("fails")) {
          throw new CniException(11, "what follows the work of " + name + " was refused");
        }
      }
    }

    @Override
    public void complete() throws CniException {
      logLine("alone " + name + (fails ? " fails" : ""));
      if (fails) {
        throw new CniException(11, "the work of " + name + " was refused");
      }
    }

    @Override
    public boolean completeWith(List<Deferred> later) {
      if (alone || later.stream().anyMatch(d -> !(d instanceof Work w) || w.alone)) {
        return false;
      }
      logLine("together " + name + later.stream().map(d -> " " + ((Work) d).name).collect(Collectors.joining()));
      return true;
    }
  }

  /**
   * A plugin that defers one {@link Work} per ADD and DEL (or does it at once where it cannot) and logs its calls;
   * with {@code ipam}, its DEL then delegates to that type, as the bridge to its IPAM, and where it {@code swallows}
   * the delegation's failure, it fails with its own error.
   */
  private final class Deferring implements CniPlugin {
    final String type;
    final boolean workAlone;
    final boolean workFails;
    final boolean addFails;
    String ipam;
    String finish;
    boolean swallows;

    Deferring(String type, boolean workAlone, boolean workFails, boolean addFails) {
      this.type = type;
      this.workAlone = workAlone;
      this.workFails = workFails;
      this.addFails = addFails;
    }

    @Override
    public String type() {
      return type;
    }

    @Override
    public List<String> supportedVersions() {
      return List.of("1.0.0");
    }

    @Override
    public ObjectNode addResult(CmdArgs args, PluginContext ctx) throws CniException {
      logLine("add " + type);
      if (addFails) {
        throw new CniException(11, type + " failed");
      }
      Work w = new Work(type, workAlone, workFails, finish);
      if (!ctx.defer(w)) {
        logLine("not deferred " + type);
        w.complete();
        w.finish();
      }
      return GoJson.mapper().createObjectNode().put("cniVersion", "1.0.0");
    }

    @Override
    public void check(CmdArgs args, PluginContext ctx) {}

    @Override
    public void del(CmdArgs args, PluginContext ctx) throws CniException {
      Work w = new Work(type, workAlone, workFails, null);
      boolean deferred = ctx.defer(w);
      logLine("del " + type + (deferred ? " deferred" : ""));
      if (!deferred && !workAlone) {
        w.complete();
      }
      if (ipam != null) {
        try {
          ctx.delegate(io.jcni.libcni.spi.Command.DEL, ipam, args);
        } catch (CniException e) {
          if (!swallows) {
            throw e;
          }
          logLine("swallowed " + type);
          throw new CniException(11, type + " failed on its own");
        }
      }
    }
  }

  private Deferring plugin(String type) {
    return new Deferring(type, false, false, false);
  }

  private CniConfig cni(Deferring... plugins) {
    PluginRegistry registry = PluginRegistry.empty();
    for (Deferring p : plugins) {
      registry.register(p);
    }
    return CniConfig.builder().path(List.of(tmp.resolve("bin").toString())).cacheDir(tmp.resolve("cache"))
        .inline(registry, registry::has).build();
  }

  private static NetworkConfigList chain(String... types) throws CniException {
    String plugins = java.util.Arrays.stream(types).map(t -> "{\"type\":\"" + t + "\"}")
        .collect(Collectors.joining(","));
    return ConfLoader.confListFromBytes(("{\"cniVersion\":\"1.0.0\",\"name\":\"jt-deferred\",\"plugins\":["
        + plugins + "]}").getBytes(StandardCharsets.UTF_8));
  }

  private static RuntimeConf rt() {
    return new RuntimeConf("ctr-deferred", "/some/netns", "eth0", List.of(), Map.of(), null);
  }

  private boolean cached() throws IOException {
    Path results = tmp.resolve("cache").resolve("results");
    if (!Files.isDirectory(results)) {
      return false;
    }
    try (var s = Files.list(results)) {
      return s.findAny().isPresent();
    }
  }

  @Test
  void workOfTheChainsPluginsIsCompletedTogetherAfterTheLastOfThem() throws Exception {
    cni(plugin("jt-a"), plugin("jt-b"), plugin("jt-c")).addNetworkList(chain("jt-a", "jt-b", "jt-c"), rt());
    assertEquals(List.of("add jt-a", "add jt-b", "add jt-c", "together jt-a jt-b jt-c"), events());
  }

  @Test
  void workThatDoesNotCombineIsCompletedInTheOrderItWasDeferred() throws Exception {
    cni(plugin("jt-a"), new Deferring("jt-b", true, false, false)).addNetworkList(chain("jt-a", "jt-b"), rt());
    assertEquals(List.of("add jt-a", "add jt-b", "alone jt-a", "alone jt-b"), events());
  }

  @Test
  void anExecdPluginRunsAfterTheWorkDeferredBeforeIt() throws Exception {
    cni(plugin("jt-a"), plugin("jt-c")).addNetworkList(chain("jt-a", "jt-exec", "jt-c"), rt());
    assertEquals(List.of("add jt-a", "alone jt-a", "exec ADD", "add jt-c", "alone jt-c"), events());
  }

  @Test
  void aFailedCompletionFailsTheAddWithItsPluginsNameAndRollsBackEveryPlugin() throws Exception {
    CniConfig cni = cni(new Deferring("jt-a", true, false, false), new Deferring("jt-b", false, true, false));
    CniException e = assertThrows(CniException.class, () -> cni.addNetworkList(chain("jt-a", "jt-b"), rt()));
    assertEquals("plugin type=\"jt-b\" failed (add): the work of jt-b was refused", e.getMessage());
    assertEquals(11, e.code());
    // the plugin whose work failed completed its ADD, so it is asked to DEL too; a DEL defers nothing
    assertEquals(List.of("add jt-a", "add jt-b", "alone jt-a", "alone jt-b fails", "del jt-b", "alone jt-b fails",
        "del jt-a"), events());
    assertFalse(cached(), "a failed ADD is not cached");
  }

  @Test
  void aFailingPluginDropsTheWorkDeferredBeforeItUndone() throws Exception {
    CniConfig cni = cni(plugin("jt-a"), plugin("jt-b"), new Deferring("jt-c", false, false, true));
    CniException e = assertThrows(CniException.class,
        () -> cni.addNetworkList(chain("jt-a", "jt-b", "jt-c"), rt()));
    assertEquals("plugin type=\"jt-c\" failed (add): jt-c failed", e.getMessage());
    assertEquals(List.of("add jt-a", "add jt-b", "add jt-c", "del jt-b", "alone jt-b", "del jt-a", "alone jt-a"),
        events());
  }

  @Test
  void whatFollowsTheWorkRunsOnceAllOfItIsDone() throws Exception {
    Deferring a = plugin("jt-a");
    a.finish = "ok";
    Deferring b = new Deferring("jt-b", true, false, false);
    b.finish = "ok";
    cni(a, b).addNetworkList(chain("jt-a", "jt-b"), rt());
    assertEquals(List.of("add jt-a", "add jt-b", "alone jt-a", "alone jt-b", "finish jt-a", "finish jt-b"),
        events());
  }

  @Test
  void whatFollowsTheWorkWaitsForTheExecdPluginsAfterIt() throws Exception {
    Deferring a = plugin("jt-a");
    a.finish = "ok";
    cni(a).addNetworkList(chain("jt-a", "jt-exec"), rt());
    // the exec'd plugin sees the work done, and could still fail: what follows comes after it
    assertEquals(List.of("add jt-a", "alone jt-a", "exec ADD", "finish jt-a"), events());
  }

  @Test
  void aFailingFinishFailsTheAddWithItsPluginsNameStopsThereAndRollsBack() throws Exception {
    Deferring a = plugin("jt-a");
    a.finish = "fails";
    Deferring b = plugin("jt-b");
    b.finish = "ok";
    CniException e = assertThrows(CniException.class, () -> cni(a, b).addNetworkList(chain("jt-a", "jt-b"), rt()));
    assertEquals("plugin type=\"jt-a\" failed (add): what follows the work of jt-a was refused", e.getMessage());
    assertEquals(List.of("add jt-a", "add jt-b", "together jt-a jt-b", "finish jt-a fails", "del jt-b", "alone jt-b",
        "del jt-a", "alone jt-a"), events());
    assertFalse(cached(), "a failed ADD is not cached");
  }

  @Test
  void aFailedFinishPutsBackTheRecordItsCacheWriteReplaced() throws Exception {
    // the first ADD leaves a record whose namespace does not exist: stale, so it does not block the second
    cni(plugin("jt-a")).addNetworkList(chain("jt-a"), rt());
    Path file = tmp.resolve("cache").resolve("results").resolve("jt-deferred-ctr-deferred-eth0");
    byte[] before = Files.readAllBytes(file);
    Deferring b = plugin("jt-b");
    b.finish = "fails";
    assertThrows(CniException.class, () -> cni(plugin("jt-a"), b).addNetworkList(chain("jt-a", "jt-b"), rt()));
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(file),
        "the stale record, which GC needs, as it was");
  }

  @Test
  void aPluginsOwnFailureIsNotBlamedOnWorkWhoseFailureItSwallowed() throws Exception {
    Deferring a = plugin("jt-a");
    CniConfig cni = cni(a, plugin("jt-b"));
    cni.addNetworkList(chain("jt-a", "jt-b"), rt());
    Deferring main = plugin("jt-a");
    main.ipam = "jt-exec";
    main.swallows = true;
    Files.writeString(log, "");
    CniException e = assertThrows(CniException.class,
        () -> cni(main, new Deferring("jt-b", true, true, false)).delNetworkList(chain("jt-a", "jt-b"), rt()));
    assertEquals("plugin type=\"jt-a\" failed (delete): jt-a failed on its own", e.getMessage());
    assertEquals(List.of("del jt-b deferred", "del jt-a deferred", "alone jt-b fails", "swallowed jt-a"), events());
  }

  @Test
  void aChainsDelCompletesItsPluginsWorkTogetherAfterTheLastOfThem() throws Exception {
    CniConfig cni = cni(plugin("jt-a"), plugin("jt-b"));
    cni.addNetworkList(chain("jt-a", "jt-b"), rt());
    Files.writeString(log, "");
    cni.delNetworkList(chain("jt-a", "jt-b"), rt());
    assertEquals(List.of("del jt-b deferred", "del jt-a deferred", "together jt-b jt-a"), events());
  }

  @Test
  void aDelegationFirstCompletesWhatWasDeferred() throws Exception {
    Deferring main = plugin("jt-a");
    main.ipam = "jt-exec";
    CniConfig cni = cni(main, plugin("jt-b"));
    cni.addNetworkList(chain("jt-a", "jt-b"), rt());
    Files.writeString(log, "");
    cni.delNetworkList(chain("jt-a", "jt-b"), rt());
    // the address is released only once the rules that use it are gone
    assertEquals(List.of("del jt-b deferred", "del jt-a deferred", "together jt-b jt-a", "exec DEL"), events());
  }

  @Test
  void aFailedCompletionFailsTheDelWithItsPluginsNameAndKeepsTheCache() throws Exception {
    CniConfig cni = cni(plugin("jt-a"), new Deferring("jt-b", true, true, false));
    cni.addNetworkList(chain("jt-a"), rt());
    Deferring main = plugin("jt-a");
    main.ipam = "jt-exec";
    CniConfig failing = cni(main, new Deferring("jt-b", true, true, false));
    Files.writeString(log, "");
    CniException e = assertThrows(CniException.class, () -> failing.delNetworkList(chain("jt-a", "jt-b"), rt()));
    assertEquals("plugin type=\"jt-b\" failed (delete): the work of jt-b was refused", e.getMessage());
    assertEquals(List.of("del jt-b deferred", "del jt-a deferred", "alone jt-b fails"), events());
    org.junit.jupiter.api.Assertions.assertTrue(cached(), "the cache stays for a retry");
  }

  @Test
  void aSinglePluginAndADelDeferNothing() throws Exception {
    CniConfig cni = cni(plugin("jt-a"));
    PluginConf single = ConfLoader.pluginConfFromBytes(
        "{\"cniVersion\":\"1.0.0\",\"name\":\"jt-single\",\"type\":\"jt-a\"}".getBytes(StandardCharsets.UTF_8));
    cni.addNetwork(single, rt());
    cni.delNetwork(single, rt());
    assertEquals(List.of("add jt-a", "not deferred jt-a", "alone jt-a", "del jt-a", "alone jt-a"), events());
  }

  @Test
  void anInvokerOfTheCallersDefersNothing() throws Exception {
    Deferring a = plugin("jt-a");
    Deferring b = plugin("jt-b");
    PluginRegistry registry = PluginRegistry.empty().register(a).register(b);
    io.jcni.libcni.internal.invoke.DispatchingInvoker own = new io.jcni.libcni.internal.invoke.DispatchingInvoker(
        registry, t -> true, (command, type, args) -> new byte[0]);
    CniConfig cni = CniConfig.builder().path(List.of()).cacheDir(tmp.resolve("cache")).invoker(own).build();
    cni.addNetworkList(chain("jt-a", "jt-b"), rt());
    assertEquals(List.of("add jt-a", "not deferred jt-a", "alone jt-a", "add jt-b", "not deferred jt-b",
        "alone jt-b"), events());
  }
}
