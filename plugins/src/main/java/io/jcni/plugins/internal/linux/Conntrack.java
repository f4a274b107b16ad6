package io.jcni.plugins.internal.linux;

import io.jcni.plugins.internal.linux.NetlinkCodec.Attrs;
import io.jcni.plugins.internal.linux.NetlinkCodec.Message;
import io.jcni.plugins.internal.linux.NetlinkCodec.Request;
import java.io.IOException;

/**
 * The connection tracking table of one network namespace, pruned through ctnetlink ({@code NETLINK_NETFILTER},
 * subsystem {@code NFNL_SUBSYS_CTNETLINK}): a dump of one address family filtered here, then one delete per
 * matching entry, as the Go plugins' netlink library does.
 */
public final class Conntrack implements AutoCloseable {
  /** IANA protocol number of UDP. */
  public static final int UDP = 17;

  private static final int NETLINK_NETFILTER = 12;
  private static final int NFNL_SUBSYS_CTNETLINK = 1;
  private static final int IPCTNL_MSG_CT_GET = 1;
  private static final int IPCTNL_MSG_CT_DELETE = 2;
  private static final int NFGENMSG_LEN = 4;
  private static final int CTA_TUPLE_ORIG = 1;
  private static final int CTA_TUPLE_PROTO = 2;
  private static final int CTA_PROTO_NUM = 1;
  private static final int CTA_PROTO_DST_PORT = 3;

  private final NetlinkSocket socket;

  private Conntrack(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens the table of {@code ns}, or of the calling thread's namespace when {@code ns} is null. */
  public static Conntrack open(NetNs ns) throws IOException {
    NetlinkSocket s = ns == null ? NetlinkSocket.openHere(NETLINK_NETFILTER)
        : ns.runIn(() -> NetlinkSocket.openHere(NETLINK_NETFILTER));
    return new Conntrack(s);
  }

  /**
   * Deletes the entries of {@code family} whose original direction is protocol {@code protocol} to destination
   * port {@code port}; returns how many it deleted. An entry that expires meanwhile is not an error.
   */
  public int deleteByOriginalDstPort(Family family, int protocol, int port) throws IOException {
    Request dump = new Request(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET, Kernel.NLM_F_REQUEST,
        "dump conntrack table").raw(nfgenmsg(family.af));
    int deleted = 0;
    for (Message m : socket.dump(dump)) {
      Attrs proto = m.attrs(NFGENMSG_LEN).nested(CTA_TUPLE_ORIG).nested(CTA_TUPLE_PROTO);
      byte[] dport = proto.bytes(CTA_PROTO_DST_PORT);
      if (proto.u8(CTA_PROTO_NUM, -1) != protocol || dport == null || dport.length != 2
          || ((dport[0] & 0xff) << 8 | (dport[1] & 0xff)) != port) {
        continue;
      }
      // the entry as dumped (its tuples, zone and id) names exactly that entry to the kernel
      byte[] entry = new byte[m.payload.limit()];
      m.payload.get(0, entry);
      Request del = new Request(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE, Kernel.NLM_F_REQUEST,
          "delete conntrack entry").raw(entry);
      try {
        socket.ack(del);
        deleted++;
      } catch (ErrnoException e) {
        if (e.errno() != Kernel.ENOENT) {
          throw e;
        }
      }
    }
    return deleted;
  }

  /** struct nfgenmsg: family, version 0, resource id 0. */
  private static byte[] nfgenmsg(int family) {
    return new byte[] {(byte) family, 0, 0, 0};
  }

  @Override
  public void close() {
    socket.close();
  }
}
