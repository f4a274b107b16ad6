package io.jcni.plugins.internal.linux;

/**
 * An rtnetlink request the kernel refused with {@code NLMSG_ERROR}: the errno, the kernel's extended-ack text
 * when it gave one ({@code NETLINK_EXT_ACK}), and the operation that was asked for.
 *
 * <p>Example message: {@code "create veth eth0: file exists"}, or with extended ack
 * {@code "set master veth1: invalid argument: Can not enslave a bridge to itself"}.
 */
public class NetlinkException extends ErrnoException {
  private static final long serialVersionUID = 1L;

  private final String extAck;

  /** A refusal of {@code operation} with {@code errno} and the kernel's extended-ack text (null or empty if none). */
  public NetlinkException(String operation, int errno, String extAck) {
    super(operation, errno, extAck);
    this.extAck = extAck == null ? "" : extAck;
  }

  /** The kernel's extended-ack message, or the empty string when the kernel gave none. */
  public String extAck() {
    return extAck;
  }
}
