package io.jcni.plugins.internal.linux;

import io.jcni.plugins.internal.linux.NetlinkCodec.Attrs;
import io.jcni.plugins.internal.linux.NetlinkCodec.Message;
import io.jcni.plugins.internal.linux.NetlinkCodec.Request;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of one nf_tables chain as the kernel lists them ({@code NFT_MSG_GETRULE} dumps), for reading
 * iptables-nft's rules without launching iptables-save.
 *
 * <p>The dump is filtered by the kernel on table and chain, so its cost grows with the chain read, not with the
 * whole table.
 */
public final class NfTablesRules {
  private static final int NETLINK_NETFILTER = 12;
  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFT_MSG_NEWCHAIN = 3;
  private static final int NFT_MSG_GETCHAIN = 4;
  private static final int NFT_MSG_NEWRULE = 6;
  private static final int NFT_MSG_GETRULE = 7;
  private static final int NFGENMSG_LEN = 4;

  private NfTablesRules() {}

  /**
   * One rule: its chain, its handle, the iptables protocol recorded with it (0 for none), its expressions, and its
   * comment (nft's {@code comment "..."}, null for none).
   */
  public record Rule(String chain, long handle, int compatProto, List<Expr> exprs, String comment) {
    public Rule {
      exprs = List.copyOf(exprs);
    }
  }

  /** {@code NFPROTO_INET}: the family of nft's {@code inet} tables. */
  public static final int FAMILY_INET = 1;
  private static final int NFTA_RULE_USERDATA = 7;
  /** libnftnl's {@code NFTNL_UDATA_RULE_COMMENT}: the type of the comment's TLV in the rule's user data. */
  private static final int UDATA_RULE_COMMENT = 0;

  /** One expression of a listed rule: its name and its attributes ({@code NFTA_EXPR_DATA}). */
  public static final class Expr {
    private final String name;
    private final Attrs data;

    private Expr(String name, Attrs data) {
      this.name = name;
      this.data = data;
    }

    /** The expression's type, e.g. {@code cmp}, {@code payload}, {@code match}. */
    public String name() {
      return name;
    }

    /** The bytes of the attribute at {@code path} (outer to inner attribute types), or null. */
    public byte[] bytes(int... path) {
      Attrs a = data;
      for (int i = 0; i < path.length - 1; i++) {
        a = a.nested(path[i]);
      }
      return a.bytes(path[path.length - 1]);
    }

    /** The big-endian 32-bit number at {@code path}, or {@code dflt}. */
    public int u32(int dflt, int... path) {
      byte[] b = bytes(path);
      return b == null || b.length < 4 ? dflt : ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN).getInt();
    }

    /** The NUL-terminated string at {@code path}, or null. */
    public String string(int... path) {
      byte[] b = bytes(path);
      if (b == null) {
        return null;
      }
      int len = 0;
      while (len < b.length && b[len] != 0) {
        len++;
      }
      return new String(b, 0, len, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  /**
   * The rules of {@code chain} in {@code table} of {@code family}, in order, in the calling thread's network
   * namespace; empty when the table or chain does not exist.
   */
  public static List<Rule> list(int family, String table, String chain) throws IOException {
    Request req = new Request(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETRULE, Kernel.NLM_F_REQUEST, "list rules of " + chain)
        .raw(new byte[] {(byte) family, 0, 0, 0})
        .attrString(1, table) // NFTA_RULE_TABLE
        .attrString(2, chain); // NFTA_RULE_CHAIN
    List<Message> messages;
    try (NetlinkSocket s = NetlinkSocket.openHere(NETLINK_NETFILTER)) {
      messages = s.dump(req);
    } catch (NetlinkException e) {
      if (e.errno() == Kernel.ENOENT) {
        return List.of();
      }
      throw e;
    }
    List<Rule> rules = new ArrayList<>(messages.size());
    for (Message m : messages) {
      if (m.type != (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE)) {
        continue;
      }
      rules.add(rule(m.attrs(NFGENMSG_LEN)));
    }
    return rules;
  }

  /**
   * The names of the chains of {@code table} in {@code family}, in the calling thread's network namespace; empty
   * when the table does not exist. The kernel does not filter chain dumps by table, so this lists the family's.
   */
  public static List<String> chains(int family, String table) throws IOException {
    Request req = new Request(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_GETCHAIN, Kernel.NLM_F_REQUEST, "list chains of " + table)
        .raw(new byte[] {(byte) family, 0, 0, 0});
    List<String> names = new ArrayList<>();
    try (NetlinkSocket s = NetlinkSocket.openHere(NETLINK_NETFILTER)) {
      for (Message m : s.dump(req)) {
        if (m.type == (NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN)) {
          Attrs a = m.attrs(NFGENMSG_LEN);
          if (table.equals(a.string(1))) { // NFTA_CHAIN_TABLE
            names.add(a.string(3)); // NFTA_CHAIN_NAME
          }
        }
      }
    }
    return names;
  }

  private static Rule rule(Attrs a) {
    byte[] handle = a.bytes(3); // NFTA_RULE_HANDLE
    List<Expr> exprs = new ArrayList<>();
    for (ByteBuffer elem : a.nested(4).all(1)) { // NFTA_RULE_EXPRESSIONS, NFTA_LIST_ELEM
      Attrs e = Attrs.parse(elem, 0, elem.limit());
      exprs.add(new Expr(e.string(1), e.nested(2))); // NFTA_EXPR_NAME, NFTA_EXPR_DATA
    }
    byte[] proto = a.nested(5).bytes(1); // NFTA_RULE_COMPAT, NFTA_RULE_COMPAT_PROTO
    return new Rule(a.string(2), handle == null ? 0 : ByteBuffer.wrap(handle).getLong(),
        proto == null ? 0 : ByteBuffer.wrap(proto).getInt(), exprs, comment(a.bytes(NFTA_RULE_USERDATA)));
  }

  /**
   * The comment in a rule's user data, which nft writes as libnftnl TLVs (a type byte, a length byte, the value;
   * the comment NUL-terminated); null when there is none or the data is not in that form.
   */
  static String comment(byte[] userdata) {
    if (userdata == null) {
      return null;
    }
    int i = 0;
    while (i + 2 <= userdata.length) {
      int type = userdata[i] & 0xff;
      int len = userdata[i + 1] & 0xff;
      if (i + 2 + len > userdata.length) {
        return null;
      }
      if (type == UDATA_RULE_COMMENT) {
        int end = i + 2;
        while (end < i + 2 + len && userdata[end] != 0) {
          end++;
        }
        return new String(userdata, i + 2, end - i - 2, java.nio.charset.StandardCharsets.UTF_8);
      }
      i += 2 + len;
    }
    return null;
  }
}
