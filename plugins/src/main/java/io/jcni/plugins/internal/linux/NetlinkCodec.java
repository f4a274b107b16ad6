package io.jcni.plugins.internal.linux;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The netlink wire format in one place: building requests ({@link Request}) with 4-byte aligned, possibly nested
 * attributes, and reading replies ({@link Message}, {@link Attrs}). All integers are in host byte order, as
 * netlink wants.
 */
final class NetlinkCodec {
  private NetlinkCodec() {}

  static final ByteOrder ORDER = ByteOrder.nativeOrder();

  static int align(int n) {
    return (n + 3) & ~3;
  }

  /** A request being built: the 16-byte header, a fixed family header, then attributes. */
  static final class Request {
    private ByteBuffer buf = ByteBuffer.allocate(256).order(ORDER);
    private final int type;
    private final String what;

    Request(int type, int flags, String what) {
      this.type = type;
      this.what = what;
      buf.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    }

    /** The message type, e.g. RTM_NEWLINK. */
    int type() {
      return type;
    }

    /** A short description for error messages, e.g. "create veth eth0". */
    String what() {
      return what;
    }

    int flags() {
      return buf.getShort(6) & 0xffff;
    }

    Request addFlags(int f) {
      buf.putShort(6, (short) (flags() | f));
      return this;
    }

    private void room(int n) {
      if (buf.remaining() < n + 8) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n + 64)).order(ORDER);
        buf.flip();
        b.put(buf);
        buf = b;
      }
    }

    /** struct ifinfomsg. */
    Request ifinfomsg(int family, int index, int flags, int change) {
      room(16);
      buf.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putInt(flags).putInt(change);
      return this;
    }

    /** struct ifaddrmsg. */
    Request ifaddrmsg(int family, int prefixLen, int flags, int scope, int index) {
      room(8);
      buf.put((byte) family).put((byte) prefixLen).put((byte) flags).put((byte) scope).putInt(index);
      return this;
    }

    /** struct rtmsg. */
    Request rtmsg(int family, int dstLen, int table, int protocol, int scope, int rtType) {
      room(12);
      buf.put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0).put((byte) table)
          .put((byte) protocol).put((byte) scope).put((byte) rtType).putInt(0);
      return this;
    }

    Request attr(int attrType, byte[] value) {
      int len = 4 + value.length;
      room(align(len));
      buf.putShort((short) len).putShort((short) attrType).put(value);
      pad();
      return this;
    }

    Request attrU8(int attrType, int v) {
      return attr(attrType, new byte[] {(byte) v});
    }

    Request attrU16(int attrType, int v) {
      return attr(attrType, ByteBuffer.allocate(2).order(ORDER).putShort((short) v).array());
    }

    Request attrU32(int attrType, int v) {
      return attr(attrType, ByteBuffer.allocate(4).order(ORDER).putInt(v).array());
    }

    /** A NUL-terminated string, as IFLA_IFNAME and IFLA_INFO_KIND are sent. */
    Request attrString(int attrType, String v) {
      byte[] s = v.getBytes(StandardCharsets.UTF_8);
      return attr(attrType, Arrays.copyOf(s, s.length + 1));
    }

    /** A string without NUL terminator, as iproute2 and Go's netlink send IFLA_INFO_KIND. */
    Request attrBareString(int attrType, String v) {
      return attr(attrType, v.getBytes(StandardCharsets.UTF_8));
    }

    Request attrIp(int attrType, InetAddress ip) {
      return attr(attrType, ip.getAddress());
    }

    /** Raw bytes inside the current attribute (e.g. a struct within a nested attribute). */
    Request raw(byte[] bytes) {
      room(align(bytes.length));
      buf.put(bytes);
      pad();
      return this;
    }

    /** Opens a nested attribute; returns the mark to pass to {@link #end}. */
    int begin(int attrType) {
      room(4);
      int mark = buf.position();
      buf.putShort((short) 0).putShort((short) attrType);
      return mark;
    }

    Request end(int mark) {
      buf.putShort(mark, (short) (buf.position() - mark));
      return this;
    }

    private void pad() {
      while ((buf.position() & 3) != 0) {
        buf.put((byte) 0);
      }
    }

    /** The finished bytes with the given sequence number and port id. */
    ByteBuffer finish(int seq, int portId) {
      buf.putInt(0, buf.position()).putInt(8, seq).putInt(12, portId);
      ByteBuffer out = buf.duplicate().order(ORDER);
      out.flip();
      return out;
    }
  }

  /** One received message: header fields and its payload (after the 16-byte header) in a private buffer. */
  static final class Message {
    final int type;
    final int flags;
    final int seq;
    final int pid;
    /** The payload, positioned at 0, in host order. */
    final ByteBuffer payload;

    Message(int type, int flags, int seq, int pid, ByteBuffer payload) {
      this.type = type;
      this.flags = flags;
      this.seq = seq;
      this.pid = pid;
      this.payload = payload;
    }

    /** Attributes following a family header of {@code headerLen} bytes. */
    Attrs attrs(int headerLen) {
      return Attrs.parse(payload, align(headerLen), payload.limit());
    }

    int u8(int off) {
      return payload.get(off) & 0xff;
    }

    int u16(int off) {
      return payload.getShort(off) & 0xffff;
    }

    int i32(int off) {
      return payload.getInt(off);
    }

    /** Splits a datagram into messages (each payload copied, so the receive buffer can be reused). */
    static List<Message> split(ByteBuffer datagram) {
      List<Message> out = new ArrayList<>(4);
      int pos = 0;
      int end = datagram.limit();
      while (pos + Kernel.NLMSG_HDRLEN <= end) {
        int len = datagram.getInt(pos);
        if (len < Kernel.NLMSG_HDRLEN || pos + len > end) {
          break;
        }
        byte[] p = new byte[len - Kernel.NLMSG_HDRLEN];
        datagram.get(pos + Kernel.NLMSG_HDRLEN, p);
        out.add(new Message(datagram.getShort(pos + 4) & 0xffff, datagram.getShort(pos + 6) & 0xffff,
            datagram.getInt(pos + 8), datagram.getInt(pos + 12), ByteBuffer.wrap(p).order(ORDER)));
        pos += align(len);
      }
      return out;
    }
  }

  /** The attributes of one level, indexed by type (the last one of a type wins; {@link #all} gives every one). */
  static final class Attrs {
    private static final Attrs EMPTY = new Attrs(ByteBuffer.allocate(0), new int[0], new int[0], new int[0]);
    private final ByteBuffer buf;
    private final int[] types;
    private final int[] offs;
    private final int[] lens;

    private Attrs(ByteBuffer buf, int[] types, int[] offs, int[] lens) {
      this.buf = buf;
      this.types = types;
      this.offs = offs;
      this.lens = lens;
    }

    static Attrs parse(ByteBuffer buf, int from, int to) {
      int n = 0;
      int[] types = new int[16];
      int[] offs = new int[16];
      int[] lens = new int[16];
      int pos = from;
      while (pos + 4 <= to) {
        int len = buf.getShort(pos) & 0xffff;
        if (len < 4 || pos + len > to) {
          break;
        }
        if (n == types.length) {
          types = Arrays.copyOf(types, n * 2);
          offs = Arrays.copyOf(offs, n * 2);
          lens = Arrays.copyOf(lens, n * 2);
        }
        types[n] = buf.getShort(pos + 2) & Kernel.NLA_TYPE_MASK;
        offs[n] = pos + 4;
        lens[n] = len - 4;
        n++;
        pos += align(len);
      }
      return new Attrs(buf, Arrays.copyOf(types, n), Arrays.copyOf(offs, n), Arrays.copyOf(lens, n));
    }

    private int find(int type) {
      for (int i = types.length - 1; i >= 0; i--) {
        if (types[i] == type) {
          return i;
        }
      }
      return -1;
    }

    boolean has(int type) {
      return find(type) >= 0;
    }

    int u8(int type, int dflt) {
      int i = find(type);
      return i < 0 || lens[i] < 1 ? dflt : buf.get(offs[i]) & 0xff;
    }

    int u16(int type, int dflt) {
      int i = find(type);
      return i < 0 || lens[i] < 2 ? dflt : buf.getShort(offs[i]) & 0xffff;
    }

    int u32(int type, int dflt) {
      int i = find(type);
      return i < 0 || lens[i] < 4 ? dflt : buf.getInt(offs[i]);
    }

    /** A NUL-terminated (or unterminated) string attribute, or null. */
    String string(int type) {
      int i = find(type);
      if (i < 0) {
        return null;
      }
      int len = lens[i];
      while (len > 0 && buf.get(offs[i] + len - 1) == 0) {
        len--;
      }
      byte[] b = new byte[len];
      buf.get(offs[i], b);
      return new String(b, StandardCharsets.UTF_8);
    }

    byte[] bytes(int type) {
      int i = find(type);
      if (i < 0) {
        return null;
      }
      byte[] b = new byte[lens[i]];
      buf.get(offs[i], b);
      return b;
    }

    /** The attributes nested in {@code type}, or an empty set. */
    Attrs nested(int type) {
      int i = find(type);
      return i < 0 ? EMPTY : parse(buf, offs[i], offs[i] + lens[i]);
    }

    /** The payloads of every attribute of {@code type}, in order, as host-order buffers. */
    List<ByteBuffer> all(int type) {
      List<ByteBuffer> out = new ArrayList<>();
      for (int i = 0; i < types.length; i++) {
        if (types[i] == type) {
          out.add(buf.slice(offs[i], lens[i]).order(ORDER));
        }
      }
      return out;
    }
  }
}
