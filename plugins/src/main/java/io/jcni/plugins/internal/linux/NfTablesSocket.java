package io.jcni.plugins.internal.linux;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.jcni.plugins.internal.linux.NetlinkCodec.Message;
import java.io.Closeable;
import java.nio.ByteBuffer;

/**
 * A {@code NETLINK_NETFILTER} socket in the network namespace it was opened in, which commits
 * {@link NfTablesBatch}es.
 *
 * <p>Keep it open as long as it is needed: closing a netfilter netlink socket waits until the kernel has freed the
 * objects of earlier transactions, an RCU grace period (about 10 ms here), which is why firewall programs spend the
 * end of their life waiting in exit.
 */
public final class NfTablesSocket implements Closeable {
  private static final int NETLINK_NETFILTER = 12;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int RX_SIZE = 16 * 1024;

  private final int fd;
  private final Memory rx = new Memory(RX_SIZE);
  private int seq = (int) (System.nanoTime() & 0x3fffffff);
  private boolean closed; // guarded by this

  private NfTablesSocket(int fd) {
    this.fd = fd;
  }

  /** Opens a socket in the calling thread's network namespace. */
  public static NfTablesSocket openHere() throws ErrnoException {
    int fd;
    try {
      fd = LibC.socket(Kernel.AF_NETLINK, Kernel.SOCK_RAW | Kernel.SOCK_CLOEXEC, NETLINK_NETFILTER);
    } catch (LastErrorException e) {
      throw ErrnoException.of("socket(AF_NETLINK, NETLINK_NETFILTER)", e);
    }
    try (Memory addr = new Memory(12)) {
      addr.clear();
      addr.setShort(0, (short) Kernel.AF_NETLINK);
      LibC.bind(fd, addr, 12);
      return new NfTablesSocket(fd);
    } catch (LastErrorException e) {
      NetNs.closeQuietly(fd);
      throw ErrnoException.of("bind netfilter netlink socket", e);
    }
  }

  /**
   * Sends {@code batch} and returns once the kernel has applied it; throws, with nothing applied, if it refused any
   * part. The kernel handles a batch within the send call, so any refusal is already queued when send returns (the
   * way nft and iptables-nft read it).
   */
  public synchronized void commit(NfTablesBatch batch) throws ErrnoException {
    if (closed) {
      throw new ErrnoException("nf_tables batch", Kernel.EBADF, "netfilter socket is closed");
    }
    drain(); // replies to an abandoned batch
    int first = seq;
    seq += batch.size() + 2;
    byte[] bytes = batch.encode(first, 0);
    try (Memory tx = new Memory(bytes.length)) {
      tx.write(0, bytes, 0, bytes.length);
      LibC.send(fd, tx, bytes.length, 0);
    } catch (LastErrorException e) {
      throw ErrnoException.of("nf_tables batch (send)", e);
    }
    ByteBuffer reply;
    while ((reply = receive(first + batch.size() + 1)) != null) {
      for (Message m : Message.split(reply)) {
        if (m.type == Kernel.NLMSG_ERROR && m.i32(0) != 0 && m.seq >= first && m.seq <= first + batch.size() + 1) {
          throw new ErrnoException("nf_tables batch", -m.i32(0), null);
        }
      }
    }
  }

  private void drain() {
    while (receive(seq) != null) {
      // discard
    }
  }

  /**
   * One queued datagram, or null when none is queued. A lost or truncated reply (ENOBUFS, or more than the buffer
   * holds) may have been a refusal, so it comes back as a refusal with sequence number {@code asSeq}.
   */
  private ByteBuffer receive(int asSeq) {
    long n;
    try {
      n = LibC.recv(fd, rx, RX_SIZE, MSG_DONTWAIT | Kernel.MSG_TRUNC);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == Kernel.EAGAIN) {
        return null;
      }
      return refusal(asSeq, e.getErrorCode() == Kernel.EINTR ? Kernel.ENOBUFS : e.getErrorCode());
    }
    if (n <= 0) {
      return null;
    }
    if (n > RX_SIZE) {
      return refusal(asSeq, Kernel.ENOBUFS);
    }
    return rx.getByteBuffer(0, n).order(NetlinkCodec.ORDER);
  }

  private static ByteBuffer refusal(int seq, int errno) {
    ByteBuffer b = ByteBuffer.allocate(Kernel.NLMSG_HDRLEN + 4).order(NetlinkCodec.ORDER);
    b.putInt(b.capacity()).putShort((short) Kernel.NLMSG_ERROR).putShort((short) 0).putInt(seq).putInt(0)
        .putInt(-errno).flip();
    return b;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      NetNs.closeQuietly(fd);
      rx.close();
    }
  }
}
