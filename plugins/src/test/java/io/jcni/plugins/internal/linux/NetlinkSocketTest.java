package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import io.jcni.plugins.internal.linux.NetlinkCodec.Message;
import io.jcni.plugins.internal.linux.NetlinkCodec.Request;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The request/reply protocol of {@link NetlinkSocket} against a scripted fake kernel on the other end of a
 * datagram socketpair; replies are laid out by hand from the uapi structs ({@code nlmsghdr}, {@code nlmsgerr}),
 * so cases the real kernel rarely produces (interrupted dumps, stale replies, extended acks) are covered.
 */
class NetlinkSocketTest {
  private static final int PORT = 4242;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int RTM_NEWLINK = 16;
  private static final int NLM_F_MULTI = 2;
  private static final int NLM_F_DUMP_INTR = 0x10;

  private int kernelFd;
  private NetlinkSocket socket;
  private final List<ByteBuffer> requests = new ArrayList<>();

  @BeforeEach
  void pair() {
    int[] fds = new int[2];
    LibC.socketpair(Kernel.AF_UNIX, Kernel.SOCK_DGRAM | Kernel.SOCK_CLOEXEC, 0, fds);
    socket = NetlinkSocket.wrap(fds[0], PORT);
    kernelFd = fds[1];
  }

  @AfterEach
  void close() {
    socket.close();
    NetNs.closeQuietly(kernelFd);
  }

  /** Serves {@code rounds} requests; {@code replies} maps a request's seq to the datagrams to answer with. */
  private Thread kernel(int rounds, IntFunction<List<byte[]>> replies) {
    Thread t = new Thread(() -> {
      try (Memory buf = new Memory(65536)) {
        for (int i = 0; i < rounds; i++) {
          long n = LibC.recv(kernelFd, buf, buf.size(), 0);
          ByteBuffer req = ByteBuffer.wrap(buf.getByteArray(0, (int) n)).order(ByteOrder.nativeOrder());
          requests.add(req);
          for (byte[] d : replies.apply(req.getInt(8))) {
            try (Memory out = new Memory(d.length)) {
              out.write(0, d, 0, d.length);
              LibC.send(kernelFd, out, d.length, 0);
            }
          }
        }
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static ByteBuffer msg(int type, int flags, int seq, int payloadLen) {
    ByteBuffer b = ByteBuffer.allocate(16 + payloadLen).order(ByteOrder.nativeOrder());
    b.putInt(16 + payloadLen).putShort((short) type).putShort((short) flags).putInt(seq).putInt(PORT);
    return b;
  }

  /** An nlmsgerr: error, then the request's header (capped), then optionally NLMSGERR_ATTR_MSG. */
  private static byte[] error(int seq, int errno, String extAck) {
    byte[] text = extAck == null ? new byte[0] : (extAck + "\0").getBytes(StandardCharsets.UTF_8);
    int attrLen = extAck == null ? 0 : 4 + text.length;
    int padded = (attrLen + 3) & ~3;
    ByteBuffer b = msg(NLMSG_ERROR, extAck == null ? 0x100 : 0x300, seq, 4 + 16 + padded);
    b.putInt(-errno);
    b.putInt(16).putShort((short) 16).putShort((short) 5).putInt(seq).putInt(PORT); // echoed request header
    if (extAck != null) {
      b.putShort((short) attrLen).putShort((short) 1).put(text);
    }
    return b.array();
  }

  private static byte[] link(int seq, int flags, int index) {
    ByteBuffer b = msg(RTM_NEWLINK, flags, seq, 16);
    b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(0).putInt(0);
    return b.array();
  }

  private static byte[] done(int seq, int flags, int error) {
    return msg(NLMSG_DONE, flags, seq, 4).putInt(error).array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  private static Request linkRequest() {
    return new Request(RTM_NEWLINK, Kernel.NLM_F_REQUEST, "op").ifinfomsg(0, 0, 0, 0);
  }

  @Test
  void ackSkipsStaleRepliesAndRequestsAnAck() throws Exception {
    Thread k = kernel(1, seq -> List.of(error(seq - 1, 17, null), concat(link(seq + 5, 0, 9), error(seq, 0, null))));
    socket.ack(linkRequest());
    k.join();
    ByteBuffer req = requests.get(0);
    assertEquals(req.limit(), req.getInt(0));
    assertEquals(PORT, req.getInt(12));
    assertTrue((req.getShort(6) & Kernel.NLM_F_ACK) != 0);
  }

  @Test
  void errorCarriesErrnoAndExtendedAck() throws Exception {
    Thread k = kernel(1, seq -> List.of(error(seq, 17, "Link already exists")));
    NetlinkException e = assertThrows(NetlinkException.class, () -> socket.ack(linkRequest()));
    k.join();
    assertEquals(17, e.errno());
    assertEquals("EEXIST", e.errnoName());
    assertEquals(ErrnoException.Kind.EXISTS, e.kind());
    assertEquals("Link already exists", e.extAck());
    assertEquals("op: file exists: Link already exists", e.getMessage());
    assertEquals("file exists: Link already exists", e.reason());
  }

  @Test
  void interruptedDumpIsRetriedWithANewSequenceNumber() throws Exception {
    int[] round = {0};
    Thread k = kernel(2, seq -> round[0]++ == 0
        ? List.of(concat(link(seq, NLM_F_MULTI, 1), link(seq, NLM_F_MULTI | NLM_F_DUMP_INTR, 2)),
            done(seq, NLM_F_MULTI | NLM_F_DUMP_INTR, 0))
        : List.of(link(seq, NLM_F_MULTI, 1), concat(link(seq, NLM_F_MULTI, 2), link(seq, NLM_F_MULTI, 3)),
            done(seq, NLM_F_MULTI, 0)));
    List<Message> out = socket.dump(linkRequest());
    k.join();
    assertEquals(List.of(1, 2, 3), out.stream().map(m -> m.i32(4)).toList());
    assertEquals(2, requests.size());
    assertNotEquals(requests.get(0).getInt(8), requests.get(1).getInt(8));
    assertEquals(Kernel.NLM_F_DUMP, requests.get(1).getShort(6) & Kernel.NLM_F_DUMP);
  }

  @Test
  void aDumpThatKeepsBeingInterruptedFails() throws Exception {
    Thread k = kernel(10, seq -> List.of(done(seq, NLM_F_MULTI | NLM_F_DUMP_INTR, 0)));
    ErrnoException e = assertThrows(ErrnoException.class, () -> socket.dump(linkRequest()));
    k.join();
    assertEquals("EINTR", e.errnoName());
    assertEquals(10, requests.size());
  }

  @Test
  void dumpEndingInAnErrorIsAnError() throws Exception {
    Thread k = kernel(1, seq -> List.of(link(seq, NLM_F_MULTI, 1), done(seq, NLM_F_MULTI, -16)));
    NetlinkException e = assertThrows(NetlinkException.class, () -> socket.dump(linkRequest()));
    k.join();
    assertEquals(ErrnoException.Kind.BUSY, e.kind());
  }

  @Test
  void closedSocketRefusesWork() {
    socket.close();
    assertThrows(java.io.IOException.class, () -> socket.ack(linkRequest()));
  }
}
