package io.jcni.libcni.internal.invoke;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.spi.CmdArgs;
import io.jcni.libcni.spi.Command;
import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestBin;
import io.jcni.libcni.types.CniException;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RawExec against the test-bin plugins: upstream's RawExec cases, timeouts, signals, text file busy. */
class RawExecTest {
  private static final byte[] CONF =
      "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"noop\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;
  private final ByteArrayOutputStream stderrSink = new ByteArrayOutputStream();
  private final RawExec exec = new RawExec(stderrSink);

  private Path debug(String json) throws IOException {
    Path d = tmp.resolve("debug.json");
    Files.writeString(d, json);
    return d;
  }

  private Map<String, String> env(Command cmd, String cniArgs) {
    CmdArgs args = new CmdArgs("cid", "/var/run/netns/x", "eth0", cniArgs, List.of("/opt/cni/bin"), CONF);
    return PluginEnv.of(cmd, args);
  }

  private CniException fails(Path plugin, Map<String, String> env) {
    return assertThrows(CniException.class, () -> exec.exec(plugin, CONF, env, Deadline.after(Duration.ofSeconds(30))));
  }

  @Test
  void returnsStdoutAndForwardsStderr() throws Exception {
    Path d = debug("{\"ReportResult\":\"{\\\"cniVersion\\\":\\\"1.0.0\\\"}\",\"ReportStderr\":\"some stderr\"}");
    byte[] out = exec.exec(TestBin.plugin("noop"), CONF, env(Command.ADD, "DEBUG=" + d), Deadline.none());
    assertEquals("{\"cniVersion\":\"1.0.0\"}", new String(out, StandardCharsets.UTF_8));
    assertEquals("some stderr", stderrSink.toString(StandardCharsets.UTF_8));
  }

  @Test
  void pluginSeesStdinAndCniEnvironmentOverridingParent() throws Exception {
    Path d = debug("{}");
    Map<String, String> parent = new HashMap<>(System.getenv());
    parent.put("CNI_COMMAND", "DEL");
    parent.put("CNI_ARGS", "stale=1");
    parent.put("CNI_IFNAME", "wrong0");
    CmdArgs args = new CmdArgs("some-cid", "/some/netns", "eth7", "DEBUG=" + d, List.of("/x", "/y"), CONF);
    exec.exec(TestBin.plugin("noop"), CONF, PluginEnv.of(parent, Command.ADD, args), Deadline.none());
    JsonNode rec = GoJson.mapper().readTree(d.toFile());
    assertEquals("ADD", rec.get("Command").asText());
    JsonNode a = rec.get("CmdArgs");
    assertEquals("some-cid", a.get("ContainerID").asText());
    assertEquals("/some/netns", a.get("Netns").asText());
    assertEquals("eth7", a.get("IfName").asText());
    assertEquals("DEBUG=" + d, a.get("Args").asText());
    assertEquals("/x:/y", a.get("Path").asText());
    assertArrayEquals(CONF, Base64.getDecoder().decode(a.get("StdinData").asText()));
  }

  @Test
  void errorJsonBecomesCniException() throws Exception {
    Path d = debug("{\"ReportError\":\"banana\",\"ReportErrorCode\":123}");
    CniException e = fails(TestBin.plugin("noop"), env(Command.ADD, "DEBUG=" + d));
    assertEquals(123, e.code());
    assertEquals("banana", e.getMessage());
  }

  @Test
  @RequiresExecutable("/usr/lib/cni/bridge")
  void errorFromRealGoPluginIsDecoded() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("CNI_COMMAND", "ADD");
    env.remove("CNI_CONTAINERID");
    env.remove("CNI_NETNS");
    env.remove("CNI_IFNAME");
    env.remove("CNI_PATH");
    CniException e = fails(Path.of("/usr/lib/cni/bridge"), env);
    assertEquals(4, e.code());
    assertEquals("required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME,CNI_PATH] missing", e.msg());
  }

  @Test
  void stderrOnlyFailureQuotesStderr() throws Exception {
    Path d = debug("{\"ReportStderr\":\"it broke\\n\",\"ExitWithCode\":2}");
    CniException e = fails(TestBin.plugin("noop"), env(Command.ADD, "DEBUG=" + d));
    assertEquals(0, e.code());
    assertEquals("netplugin failed: \"it broke\\n\": exit status 2", e.getMessage());
  }

  @Test
  void noOutputFailure() throws Exception {
    Path d = debug("{\"ExitWithCode\":1}");
    CniException e = fails(TestBin.plugin("noop"), env(Command.ADD, "DEBUG=" + d));
    assertEquals("netplugin failed with no error message: exit status 1", e.getMessage());
  }

  @Test
  void badPath() {
    CniException e = fails(tmp.resolve("missing"), env(Command.ADD, ""));
    assertEquals("netplugin failed with no error message: fork/exec " + tmp.resolve("missing")
        + ": no such file or directory", e.getMessage());
  }

  @Test
  void notExecutable() throws Exception {
    Path p = Files.writeString(tmp.resolve("plain"), "#!/bin/sh\n");
    CniException e = fails(p, env(Command.ADD, ""));
    assertEquals("netplugin failed with no error message: fork/exec " + p + ": permission denied", e.getMessage());
  }

  @Test
  void garbageDiagnostic() {
    CniException e = fails(TestBin.plugin("garbage"), env(Command.ADD, ""));
    assertEquals("netplugin failed but error parsing its diagnostic message \"garbage: not JSON\": "
        + "invalid character 'g' looking for beginning of value", e.getMessage());
  }

  @Test
  void killedBySignal() {
    CniException e = fails(TestBin.plugin("killed"), env(Command.ADD, ""));
    assertEquals("netplugin failed with no error message: signal: killed", e.getMessage());
  }

  @Test
  void timeoutKillsPluginAndItsChild() throws Exception {
    Path pidFile = tmp.resolve("pids");
    Path plugin = TestBin.plugin("sleep");
    CniException e = assertThrows(CniException.class,
        () -> exec.exec(plugin, CONF, env(Command.ADD, "PIDFILE=" + pidFile), Deadline.after(Duration.ofMillis(1500))));
    assertStopped(e, true);
    assertEquals("plugin " + plugin + " timed out after 1.50s (the operation's deadline)", e.getMessage());
    assertTreeGone(pidFile);
  }

  @Test
  void timeoutAfterPartialOutputIsATimeoutAndKillsTheOrphanedDaemon() throws Exception {
    Path pidFile = tmp.resolve("pids");
    Path plugin = TestBin.plugin("hang");
    AtomicReference<Boolean> daemonWasDescendant = new AtomicReference<>();
    Thread watcher = new Thread(() -> {
      try {
        waitFor(pidFile);
        String[] pids = Files.readString(pidFile).trim().split(" ");
        daemonWasDescendant.set(ProcessHandle.of(Long.parseLong(pids[0])).orElseThrow().descendants()
            .anyMatch(h -> h.pid() == Long.parseLong(pids[1])));
      } catch (Throwable x) {
        daemonWasDescendant.set(null);
      }
    });
    watcher.start();
    CniException e = assertThrows(CniException.class,
        () -> exec.exec(plugin, CONF, env(Command.ADD, "PIDFILE=" + pidFile), Deadline.after(Duration.ofSeconds(2))));
    watcher.join();
    assertStopped(e, true);
    assertEquals("plugin " + plugin + " timed out after 2s (the operation's deadline)", e.getMessage());
    assertEquals(Boolean.FALSE, daemonWasDescendant.get(), "precondition: the daemon is no descendant of the plugin");
    assertTreeGone(pidFile);
  }

  @Test
  void interruptKillsPluginAndItsChild() throws Exception {
    Path pidFile = tmp.resolve("pids");
    Path plugin = TestBin.plugin("hang");
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        exec.exec(plugin, CONF, env(Command.ADD, "PIDFILE=" + pidFile), Deadline.after(Duration.ofSeconds(60)));
      } catch (Throwable x) {
        thrown.set(x);
      }
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    t.start();
    waitFor(pidFile);
    t.interrupt();
    t.join(20_000);
    assertFalse(t.isAlive(), "exec did not return after interrupt");
    CniException e = (CniException) thrown.get();
    assertStopped(e, false);
    assertTrue(e.getMessage().matches("plugin " + java.util.regex.Pattern.quote(plugin.toString())
        + " was cancelled after [0-9.]+m?s \\(the calling thread was interrupted\\)"), e.getMessage());
    assertTrue(stillInterrupted.get(), "interrupt status must be kept for the caller");
    assertTreeGone(pidFile);
  }

  @Test
  void alreadyInterruptedCallerStartsNothing() throws Exception {
    Path d = debug("{}");
    Thread.currentThread().interrupt();
    try {
      CniException e = assertThrows(CniException.class,
          () -> exec.exec(TestBin.plugin("noop"), CONF, env(Command.ADD, "DEBUG=" + d), Deadline.none()));
      assertStopped(e, false);
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
    assertEquals("{}", Files.readString(d), "the plugin must not have run");
  }

  @Test
  void invokerDeadlineAppliesToEveryCommand() throws Exception {
    ExecInvoker invoker = new ExecInvoker(List.of(TestBin.dir().toString()), exec);
    for (Command c : List.of(Command.ADD, Command.DEL, Command.VERSION)) {
      Path pidFile = tmp.resolve("pids-" + c);
      CmdArgs args = new CmdArgs("cid", "/ns", "eth0", "PIDFILE=" + pidFile, List.of("/p"), CONF);
      CniException e = assertThrows(CniException.class,
          () -> invoker.invoke(c, "sleep", args, Deadline.after(Duration.ofMillis(300))));
      assertStopped(e, true);
      assertEquals("plugin " + TestBin.plugin("sleep") + " timed out after 300ms (the operation's deadline)",
          e.getMessage(), c.name());
    }
  }

  @Test
  void invokerRunsThePluginWithinTheOperationsDeadline() throws Exception {
    ExecInvoker invoker = new ExecInvoker(List.of(TestBin.dir().toString()), exec);
    CmdArgs args = new CmdArgs("cid", "/ns", "eth0", "PIDFILE=" + tmp.resolve("pids"), List.of("/p"), CONF);
    long start = System.nanoTime();
    CniException e = assertThrows(CniException.class,
        () -> invoker.invoke(Command.ADD, "sleep", args, Deadline.after(Duration.ofMillis(400))));
    assertStopped(e, true);
    assertEquals("plugin " + TestBin.plugin("sleep") + " timed out after 400ms (the operation's deadline)",
        e.getMessage());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "the plugin sleeps 60 s");
  }

  private static void assertStopped(CniException e, boolean timedOut) {
    assertEquals(11, e.code(), e.getMessage());
    assertEquals(timedOut, e.isTimeout(), e.getMessage());
    assertEquals(!timedOut, e.isCancelled(), e.getMessage());
  }

  @Test
  void daemonHoldingStdoutDoesNotBlockTheCall() throws Exception {
    Path pidFile = tmp.resolve("daemon.pid");
    Path plugin = tmp.resolve("daemonizing");
    Files.writeString(plugin, "#!/usr/bin/env bash\ncat >/dev/null\n(sleep 60 & echo $! > " + pidFile + ")\n"
        + "printf '{\"cniVersion\":\"1.0.0\"}'\n");
    Files.setPosixFilePermissions(plugin, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    try {
      byte[] out = exec.exec(plugin, CONF, env(Command.ADD, ""), Deadline.none());
      assertEquals("{\"cniVersion\":\"1.0.0\"}", new String(out, StandardCharsets.UTF_8));
    } finally {
      waitFor(pidFile);
      ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private static void waitFor(Path file) throws InterruptedException {
    for (int i = 0; i < 600 && !Files.exists(file); i++) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(file), "plugin never wrote " + file);
  }

  /** Both pids must be gone: no process, or a zombie waiting for a reaper that is not us. */
  private static void assertTreeGone(Path pidFile) throws Exception {
    waitFor(pidFile);
    String[] pids = Files.readString(pidFile).trim().split(" ");
    assertEquals(2, pids.length);
    for (String pid : pids) {
      boolean gone = false;
      for (int i = 0; i < 100 && !gone; i++) {
        gone = !running(pid);
        if (!gone) {
          Thread.sleep(50);
        }
      }
      assertTrue(gone, "process " + pid + " still running");
    }
  }

  private static boolean running(String pid) {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void textFileBusyIsRetriedWithAFreshProcess() throws Exception {
    Path plugin = tmp.resolve("busy");
    Files.copy(TestBin.plugin("noop"), plugin);
    Path d = debug("{\"ReportResult\":\"{}\"}");
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread t;
    try (FileOutputStream writer = new FileOutputStream(plugin.toFile(), true)) {
      // Precondition: while we hold it open for writing the kernel refuses to exec it.
      ProcessBuilder pb = new ProcessBuilder(plugin.toString());
      IOException direct = assertThrows(IOException.class, pb::start);
      assertTrue(direct.getMessage().contains("Text file busy"), direct.getMessage());
      t = new Thread(() -> {
        try {
          outcome.set(exec.exec(plugin, CONF, env(Command.ADD, "DEBUG=" + d), Deadline.after(Duration.ofSeconds(30))));
        } catch (CniException e) {
          outcome.set(e);
        }
      });
      t.start();
      // Let the first attempt fail before the file becomes executable.
      Thread.sleep(1500);
      assertTrue(t.isAlive(), "exec gave up while the file was busy: " + outcome.get());
    }
    t.join(30_000);
    Object o = outcome.get();
    assertTrue(o instanceof byte[], "expected success, got " + o);
    assertEquals("{}", new String((byte[]) o, StandardCharsets.UTF_8));
    assertEquals("ADD", GoJson.mapper().readTree(d.toFile()).get("Command").asText());
  }

  @Test
  void textFileBusyGivesUpAfterSixTries() throws Exception {
    Path plugin = tmp.resolve("busy");
    Files.copy(TestBin.plugin("noop"), plugin);
    RawExec quick = new RawExec(stderrSink, Duration.ofMillis(10));
    try (FileOutputStream writer = new FileOutputStream(plugin.toFile(), true)) {
      CniException e = assertThrows(CniException.class,
          () -> quick.exec(plugin, CONF, env(Command.ADD, ""), Deadline.after(Duration.ofSeconds(30))));
      assertEquals("netplugin failed with no error message: fork/exec " + plugin + ": text file busy",
          e.getMessage());
    }
  }
}
