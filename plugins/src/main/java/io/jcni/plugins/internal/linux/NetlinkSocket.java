package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.jcni.plugins.internal.linux.NetlinkCodec.Attrs;
import io.jcni.plugins.internal.linux.NetlinkCodec.Message;
import io.jcni.plugins.internal.linux.NetlinkCodec.Request;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@code AF_NETLINK}/{@code NETLINK_ROUTE} socket bound to the network namespace it was created in.
 *
 * <p>A socket keeps the namespace it was created in, so {@link #open(NetNs)} enters the namespace once (on a
 * fresh thread), creates and binds the socket and leaves; from then on any thread may use it. Requests are
 * serialised by the socket's own lock; each carries a new sequence number, and replies with another sequence
 * number or port id (left over from an abandoned exchange) are skipped. Non-dump requests ask for an ACK, so a
 * refusal always comes back as {@link NetlinkException}, with the kernel's extended-ack text
 * ({@code NETLINK_EXT_ACK}). Dumps that the kernel marks {@code NLM_F_DUMP_INTR} (the table changed while
 * dumping) are retried.
 */
final class NetlinkSocket implements AutoCloseable {
  private static final int RX_SIZE = 64 * 1024;
  private static final int DUMP_ATTEMPTS = 10;
  private static final int RECV_TIMEOUT_SECONDS = 30;

  private final ReentrantLock lock = new ReentrantLock();
  private final int fd;
  private final int portId;
  private final Memory rx = new Memory(RX_SIZE);
  private Memory tx = new Memory(4096);
  private int seq = (int) (System.nanoTime() & 0x3fffffff);
  private boolean closed;

  private NetlinkSocket(int fd, int portId) {
    this.fd = fd;
    this.portId = portId;
  }

  /** Wraps an already connected datagram socket, e.g. one end of a socketpair whose other end plays the kernel. */
  static NetlinkSocket wrap(int fd, int portId) {
    return new NetlinkSocket(fd, portId);
  }

  /** Opens a socket in {@code ns}: enters it on a fresh thread just for socket(2) and bind(2). */
  static NetlinkSocket open(NetNs ns) throws IOException {
    return ns.runIn(NetlinkSocket::openHere);
  }

  /** Opens a socket in the calling thread's network namespace. */
  static NetlinkSocket openHere() throws ErrnoException {
    return openHere(Kernel.NETLINK_ROUTE);
  }

  /** Opens a socket of netlink family {@code protocol} (e.g. {@code NETLINK_NETFILTER}) in the calling thread's namespace. */
  static NetlinkSocket openHere(int protocol) throws ErrnoException {
    int fd;
    try {
      fd = LibC.socket(Kernel.AF_NETLINK, Kernel.SOCK_RAW | Kernel.SOCK_CLOEXEC, protocol);
    } catch (LastErrorException e) {
      throw ErrnoException.of("socket(AF_NETLINK, " + protocol + ")", e);
    }
    try (Memory addr = new Memory(12); Memory len = new Memory(4); Memory opt = new Memory(16)) {
      opt.setInt(0, 1);
      LibC.setsockopt(fd, Kernel.SOL_NETLINK, Kernel.NETLINK_EXT_ACK, opt, 4);
      // the error reply then carries only the request's header, not its whole payload
      LibC.setsockopt(fd, Kernel.SOL_NETLINK, Kernel.NETLINK_CAP_ACK, opt, 4);
      // dumps are filtered by the kernel on the header fields we set (ifindex, family, table)
      LibC.setsockopt(fd, Kernel.SOL_NETLINK, Kernel.NETLINK_GET_STRICT_CHK, opt, 4);
      opt.setLong(0, RECV_TIMEOUT_SECONDS);
      opt.setLong(8, 0);
      LibC.setsockopt(fd, Kernel.SOL_SOCKET, Kernel.SO_RCVTIMEO, opt, 16);
      addr.clear();
      addr.setShort(0, (short) Kernel.AF_NETLINK);
      LibC.bind(fd, addr, 12);
      len.setInt(0, 12);
      LibC.getsockname(fd, addr, len);
      return new NetlinkSocket(fd, addr.getInt(4));
    } catch (LastErrorException e) {
      NetNs.closeQuietly(fd);
      throw ErrnoException.of("set up netlink socket", e);
    }
  }

  /** Sends a change request and waits for its ACK. */
  void ack(Request req) throws IOException {
    exchange(req.addFlags(Kernel.NLM_F_ACK), false);
  }

  /** Sends a get request (e.g. RTM_GETLINK for one link) and returns its reply messages. */
  List<Message> get(Request req) throws IOException {
    return exchange(req.addFlags(Kernel.NLM_F_ACK), false);
  }

  /** Sends a dump request and returns every message of a consistent dump (retrying interrupted dumps). */
  List<Message> dump(Request req) throws IOException {
    req.addFlags(Kernel.NLM_F_DUMP);
    for (int attempt = 1; ; attempt++) {
      List<Message> out = exchange(req, true);
      if (out != null) {
        return out;
      }
      if (attempt == DUMP_ATTEMPTS) {
        throw new ErrnoException(req.what(), Kernel.EINTR,
            "dump interrupted " + DUMP_ATTEMPTS + " times (NLM_F_DUMP_INTR)");
      }
    }
  }

  /** One request/response exchange; for a dump returns null if the kernel marked it interrupted. */
  private List<Message> exchange(Request req, boolean dump) throws IOException {
    lock.lock();
    try {
      if (closed) {
        throw new IOException(req.what() + ": netlink socket is closed");
      }
      int mySeq = ++seq;
      send(req, mySeq);
      List<Message> out = new ArrayList<>();
      boolean interrupted = false;
      while (true) {
        for (Message m : receive(req)) {
          if (m.seq != mySeq || m.pid != portId) {
            continue; // a late reply to an abandoned exchange
          }
          if ((m.flags & Kernel.NLM_F_DUMP_INTR) != 0) {
            interrupted = true;
          }
          switch (m.type) {
            case Kernel.NLMSG_NOOP:
              continue;
            case Kernel.NLMSG_ERROR: {
              int err = -m.i32(0);
              if (err == 0) {
                return out;
              }
              throw new NetlinkException(req.what(), err, extAck(m));
            }
            case Kernel.NLMSG_DONE: {
              if (m.payload.limit() >= 4 && m.i32(0) < 0) {
                throw new NetlinkException(req.what(), -m.i32(0), extAck(m));
              }
              return interrupted ? null : out;
            }
            case Kernel.NLMSG_OVERRUN:
              throw new ErrnoException(req.what(), Kernel.ENOBUFS, "netlink overrun");
            default:
              out.add(m);
              if (!dump && (m.flags & Kernel.NLM_F_MULTI) == 0 && (req.flags() & Kernel.NLM_F_ACK) == 0) {
                return out;
              }
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void send(Request req, int mySeq) throws ErrnoException {
    ByteBuffer bytes = req.finish(mySeq, portId);
    int n = bytes.remaining();
    if (tx.size() < n) {
      tx.close();
      tx = new Memory(Math.max(n, tx.size() * 2));
    }
    byte[] arr = new byte[n];
    bytes.get(arr);
    tx.write(0, arr, 0, n);
    try {
      LibC.send(fd, tx, n, 0);
    } catch (LastErrorException e) {
      throw ErrnoException.of(req.what() + " (send)", e);
    }
  }

  private List<Message> receive(Request req) throws ErrnoException {
    long n;
    while (true) {
      try {
        n = LibC.recv(fd, rx, RX_SIZE, Kernel.MSG_TRUNC);
        break;
      } catch (LastErrorException e) {
        if (e.getErrorCode() == Kernel.EINTR) {
          continue;
        }
        if (e.getErrorCode() == Kernel.EAGAIN) {
          throw new ErrnoException(req.what(), Kernel.EAGAIN,
              "no reply from the kernel in " + RECV_TIMEOUT_SECONDS + " s");
        }
        throw ErrnoException.of(req.what() + " (recv)", e);
      }
    }
    if (n > RX_SIZE) {
      throw new ErrnoException(req.what(), Kernel.ENOBUFS, "netlink reply of " + n + " bytes was truncated");
    }
    return Message.split(rx.getByteBuffer(0, n).order(NetlinkCodec.ORDER));
  }

  /** The NLMSGERR_ATTR_MSG text of an error/done message, or null. */
  private static String extAck(Message m) {
    if ((m.flags & Kernel.NLM_F_ACK_TLVS) == 0) {
      return null;
    }
    int off = 4; // int error
    if (m.type == Kernel.NLMSG_ERROR) {
      if (m.payload.limit() < off + Kernel.NLMSG_HDRLEN) {
        return null;
      }
      int origLen = m.i32(off);
      off += (m.flags & Kernel.NLM_F_CAPPED) != 0 ? Kernel.NLMSG_HDRLEN : NetlinkCodec.align(origLen);
    }
    if (off > m.payload.limit()) {
      return null;
    }
    Attrs tlvs = Attrs.parse(m.payload, off, m.payload.limit());
    return tlvs.string(Kernel.NLMSGERR_ATTR_MSG);
  }

  /** The kernel-assigned port id of this socket. */
  int portId() {
    return portId;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        NetNs.closeQuietly(fd);
        rx.close();
        tx.close();
      }
    } finally {
      lock.unlock();
    }
  }
}
