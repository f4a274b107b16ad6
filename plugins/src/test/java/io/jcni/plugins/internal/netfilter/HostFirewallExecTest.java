package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.spi.Deadline;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Commons Exec runner with harmless coreutils programs. */
class HostFirewallExecTest {
  private final FirewallExec exec = FirewallExec.host();

  @TempDir Path tmp;

  /**
   * A host executor bound to the operation's deadline is still the host's, so ipMasq takes its in-process path and
   * probes its backend once per process (the bridge plugin always binds its executor).
   */
  @Test
  void aHostExecutorBoundToADeadlineStillRunsOnTheHost() {
    assertTrue(FirewallExec.host().runsOnHost());
    assertTrue(FirewallExec.host().within(Deadline.after(Duration.ofSeconds(5))).runsOnHost());
    assertFalse(((FirewallExec) (argv, stdin) -> "").within(Deadline.none()).runsOnHost());
  }

  @Test
  void passesStdinAndReturnsStdout() throws Exception {
    assertEquals("*nat\nCOMMIT\n", exec.run(List.of("cat"), "*nat\nCOMMIT\n"));
  }

  @Test
  void argumentsAreNotReinterpreted() throws Exception {
    // A shell or Commons Exec's quoting would split or unquote this comment.
    String comment = "name: \"n\" id: \"c d\" $HOME ;";
    assertEquals(comment + "\n", exec.run(List.of("echo", comment), null));
  }

  @Test
  void nonZeroExitCarriesStatusAndStderr() {
    FirewallCommandException e = assertThrows(FirewallCommandException.class,
        () -> exec.run(List.of("ls", "/nonexistent-jt-path"), null));
    assertEquals(2, e.exitStatus());
    assertTrue(e.stderr().contains("No such file or directory"), e.stderr());
    assertTrue(e.getMessage().startsWith("running [ls /nonexistent-jt-path]: exit status 2: "), e.getMessage());
    assertEquals(ErrorCode.INTERNAL, e.errorCode());
  }

  @Test
  void missingProgramIsReportedLikeGo() {
    FirewallCommandException e = assertThrows(FirewallCommandException.class,
        () -> exec.run(List.of("jt-no-such-firewall-tool"), "x"));
    assertEquals(FirewallCommandException.NOT_STARTED, e.exitStatus());
    assertTrue(e.getMessage().contains("jt-no-such-firewall-tool: executable file not found in $PATH"), e.getMessage());
    assertEquals("x", e.details());
  }

  @Test
  void deadlineKillsTheProgramAndWhatItStarted() throws Exception {
    Path pids = tmp.resolve("pids");
    List<String> argv = List.of("sh", "-c", "sleep 30 & echo $$ $! > " + pids + "; sleep 30");
    long start = System.nanoTime();
    FirewallCommandException e = assertThrows(FirewallCommandException.class,
        () -> exec.run(argv, null, Deadline.after(Duration.ofMillis(800))));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "the program sleeps 30 s");
    assertTrue(e.isTimeout(), e.getMessage());
    assertEquals(ErrorCode.TRY_AGAIN_LATER, e.errorCode());
    assertEquals(FirewallCommandException.STOPPED, e.exitStatus());
    assertEquals("running [" + String.join(" ", argv) + "]: timed out after 800ms", e.getMessage());
    for (String pid : Files.readString(pids).trim().split(" ")) {
      assertGone(Long.parseLong(pid));
    }
  }

  @Test
  void interruptCancelsTheProgramAndKeepsTheFlag() throws Exception {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread t = new Thread(() -> {
      try {
        exec.run(List.of("sleep", "30"), null);
      } catch (Throwable x) {
        thrown.set(x);
      }
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    t.start();
    Thread.sleep(300);
    t.interrupt();
    t.join(10_000);
    assertFalse(t.isAlive(), "run did not return after interrupt");
    FirewallCommandException e = (FirewallCommandException) thrown.get();
    assertTrue(e.isCancelled(), e.getMessage());
    assertEquals(ErrorCode.TRY_AGAIN_LATER, e.errorCode());
    assertTrue(e.getMessage().startsWith("running [sleep 30]: cancelled after "), e.getMessage());
    assertTrue(stillInterrupted.get(), "interrupt status must be kept for the caller");
  }

  /** Gone: no such process, or a zombie (state Z/X in /proc) waiting for a reaper that is not us. */
  private static void assertGone(long pid) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      String stat;
      try {
        stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      } catch (IOException e) {
        return;
      }
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (state == 'Z' || state == 'X') {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("process " + pid + " still running");
  }
}
