package io.jcni.plugins.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Commons Exec runner with harmless coreutils programs. */
class HostFirewallExecTest {
  private final FirewallExec exec = FirewallExec.host();

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
    assertEquals(ErrorCode.INTERNAL, e.code());
  }

  @Test
  void missingProgramIsReportedLikeGo() {
    FirewallCommandException e = assertThrows(FirewallCommandException.class,
        () -> exec.run(List.of("jt-no-such-firewall-tool"), "x"));
    assertEquals(FirewallCommandException.NOT_STARTED, e.exitStatus());
    assertTrue(e.getMessage().contains("jt-no-such-firewall-tool: executable file not found in $PATH"), e.getMessage());
    assertEquals("x", e.details());
  }
}
