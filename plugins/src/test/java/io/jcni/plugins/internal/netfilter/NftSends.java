package io.jcni.plugins.internal.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jcni.plugins.internal.linux.NfTablesBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The oracle for a batch of changes to nft's own tables: what {@code nft -f -} sends the kernel for a script (its
 * last sendmsg, read by strace), compared message by message with the batch.
 */
public final class NftSends {
  private NftSends() {}

  /**
   * Runs {@code script} through nft in namespace {@code netns} under strace (so it is applied there) and asserts
   * that {@code ours} is the same messages: type, flags and payload (sequence numbers and port id aside).
   */
  public static void assertSameAs(String netns, String script, NfTablesBatch ours) throws Exception {
    Path trace = Files.createTempFile("jt-nft", ".txt");
    try {
      new NetnsExec(netns).run(List.of("strace", "-f", "-e", "trace=sendmsg", "-e", "write=all", "-o",
          trace.toString(), "nft", "-f", "-"), script);
      List<byte[]> theirs = IptablesNftBatchTest.messages(IptablesNftBatchTest.lastBatch(Files.readString(trace)));
      List<byte[]> mine = IptablesNftBatchTest.messages(ours.encode(0, 0));
      assertEquals(theirs.size(), mine.size(), "messages");
      for (int i = 0; i < mine.size(); i++) {
        assertEquals(IptablesNftBatchTest.type(theirs.get(i)), IptablesNftBatchTest.type(mine.get(i)), "message " + i);
        assertEquals(IptablesNftBatchTest.flags(theirs.get(i)), IptablesNftBatchTest.flags(mine.get(i)),
            "message " + i + " flags");
        assertEquals(IptablesNftBatchTest.hex(theirs.get(i), 16), IptablesNftBatchTest.hex(mine.get(i), 16),
            "message " + i + " payload");
      }
    } finally {
      Files.deleteIfExists(trace);
    }
  }
}
