package io.jcni.libcni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.testing.Fifo;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files named like configurations that are not regular files, or are too big: each is one error naming it,
 * never a hang (the timeouts turn a blocked read into a failure) or an exhausted heap.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConfFileSafetyTest {
  private static final String GOOD = "{\"cniVersion\":\"1.0.0\",\"name\":\"good\",\"plugins\":[{\"type\":\"noop\"}]}";

  @TempDir Path dir;

  @Test
  void fifoIsRefusedWithoutBlocking() throws Exception {
    Path f = Fifo.make(dir.resolve("10-pipe.conflist"));
    CniException e = assertThrows(CniException.class, () -> ConfLoader.confListFromFile(f));
    assertEquals("error reading " + f + ": " + f + " is a named pipe (FIFO), not a regular file", e.getMessage());
    assertEquals(ErrorCode.IO_FAILURE, e.errorCode());
  }

  @Test
  void loadByNameStopsAtTheFifoAndNamesIt() throws Exception {
    Path f = Fifo.make(dir.resolve("10-pipe.conflist"));
    Files.writeString(dir.resolve("20-good.conflist"), GOOD);
    // Go's LoadConfList aborts the search at the first unreadable file; here that is an error, not a hang.
    CniException e = assertThrows(CniException.class, () -> ConfLoader.loadConfList(dir, "good"));
    assertEquals("error reading " + f + ": " + f + " is a named pipe (FIFO), not a regular file", e.getMessage());
    Path single = Fifo.make(dir.resolve("30-pipe.conf"));
    e = assertThrows(CniException.class, () -> ConfLoader.loadConf(dir, "x"));
    assertEquals("error reading " + single + ": " + single + " is a named pipe (FIFO), not a regular file",
        e.getMessage());
  }

  @Test
  void fifoInThePluginFolderIsRefused() throws Exception {
    Path list = dir.resolve("10-good.conflist");
    Files.writeString(list, GOOD);
    Path f = Fifo.make(Files.createDirectories(dir.resolve("good")).resolve("20-tail.conf"));
    CniException e = assertThrows(CniException.class, () -> ConfLoader.confListFromFile(list));
    // Go's wrapping: a folder file's read error is "error reading F: …", with no folder prefix
    assertEquals("error reading " + f + ": " + f + " is a named pipe (FIFO), not a regular file", e.getMessage());
  }

  @Test
  void symlinkToDevZeroIsRefused() throws Exception {
    Path f = Files.createSymbolicLink(dir.resolve("10-zero.conflist"), Path.of("/dev/zero"));
    CniException e = assertThrows(CniException.class, () -> ConfLoader.confListFromFile(f));
    assertEquals("error reading " + f + ": " + f + " is a character device, not a regular file", e.getMessage());
  }

  @Test
  void symlinkToCharDeviceIsRefused() throws Exception {
    Path f = Files.createSymbolicLink(dir.resolve("10-null.conf"), Path.of("/dev/null"));
    CniException e = assertThrows(CniException.class, () -> ConfLoader.pluginConfFromFile(f));
    assertEquals("error reading " + f + ": " + f + " is a character device, not a regular file", e.getMessage());
  }

  @Test
  void symlinkToARegularFileIsFollowed() throws Exception {
    Path target = Files.writeString(dir.resolve("elsewhere.txt"), GOOD);
    Path f = Files.createSymbolicLink(dir.resolve("10-link.conflist"), target);
    assertEquals("good", ConfLoader.confListFromFile(f).name());
  }

  @Test
  void fileOverTheLimitIsRefused() throws Exception {
    Path f = dir.resolve("10-big.conflist");
    // valid JSON once padded: only the size is wrong with it
    Files.writeString(f, GOOD + " ".repeat(1 << 20));
    CniException e = assertThrows(CniException.class, () -> ConfLoader.confListFromFile(f));
    assertEquals("error reading " + f + ": " + f + " is larger than 1048576 bytes", e.getMessage());
    assertEquals(ErrorCode.IO_FAILURE, e.errorCode());
  }

  @Test
  void fileAtTheLimitIsRead() throws Exception {
    Path f = dir.resolve("10-full.conflist");
    Files.writeString(f, GOOD + " ".repeat((1 << 20) - GOOD.length()));
    assertEquals(1 << 20, Files.size(f));
    assertEquals("good", ConfLoader.confListFromFile(f).name());
  }
}
