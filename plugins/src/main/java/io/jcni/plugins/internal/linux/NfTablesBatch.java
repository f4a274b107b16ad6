package io.jcni.plugins.internal.linux;

import io.jcni.plugins.internal.linux.NetlinkCodec.Request;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One nf_tables transaction: added tables, new and deleted chains, added rules and flushed chains that the kernel
 * applies all together or not at all ({@link NfTablesSocket#commit}).
 *
 * <p>Only what writing iptables-nft's rules, the nftables masquerade and the nftables portmap need is here,
 * encoded exactly as iptables-nft 1.8 and nft 1.0.6 encode it (attribute order, big-endian numbers, no generation
 * check; iptables-nft puts {@code NFTA_RULE_COMPAT} on every rule, nft a comment in the user data), so that
 * iptables-save, iptables -D and nft read the result like their own.
 */
public final class NfTablesBatch {
  /** {@code NFPROTO_IPV4}: the family of iptables' tables. */
  public static final int FAMILY_IPV4 = 2;
  /** {@code NFPROTO_IPV6}: the family of ip6tables' tables. */
  public static final int FAMILY_IPV6 = 10;
  /** {@code NF_INET_PRE_ROUTING}: the hook of a prerouting base chain. */
  public static final int HOOK_PREROUTING = 0;
  /** {@code NF_INET_LOCAL_OUT}: the hook of an output base chain. */
  public static final int HOOK_OUTPUT = 3;
  /** {@code NF_INET_POST_ROUTING}: the hook of a postrouting base chain. */
  public static final int HOOK_POSTROUTING = 4;

  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFNL_MSG_BATCH_BEGIN = 0x10;
  private static final int NFNL_MSG_BATCH_END = 0x11;
  private static final int NFT_MSG_NEWTABLE = 0;
  private static final int NFT_MSG_NEWCHAIN = 3;
  private static final int NFT_MSG_DELCHAIN = 5;
  private static final int NFT_MSG_NEWRULE = 6;
  private static final int NFT_MSG_DELRULE = 8;
  private static final int NLM_F_EXCL = 0x200;
  private static final int NLM_F_CREATE = 0x400;
  private static final int NLM_F_APPEND = 0x800;
  private static final int NESTED = 0x8000;
  /** libnftnl's {@code NFTNL_UDATA_*_COMMENT}: the type of a comment's TLV in table, chain and rule user data. */
  private static final int UDATA_COMMENT = 0;

  private final List<Request> messages = new ArrayList<>();

  /**
   * Creates table {@code table} with {@code comment}, or leaves an existing one with its comment as it is (nft's
   * {@code add table}).
   */
  public NfTablesBatch addTable(int family, String table, String comment) {
    messages.add(message(NFT_MSG_NEWTABLE, Kernel.NLM_F_REQUEST, family, "add table " + table)
        .attrString(1, table) // NFTA_TABLE_NAME
        .attr(2, be32(0)) // NFTA_TABLE_FLAGS
        .attr(6, userdata(comment))); // NFTA_TABLE_USERDATA
    return this;
  }

  /**
   * Creates regular chain {@code chain} in {@code table} with {@code comment} (null for none), or leaves an existing
   * one as it is (nft's {@code add chain}).
   */
  public NfTablesBatch addChain(int family, String table, String chain, String comment) {
    Request r = message(NFT_MSG_NEWCHAIN, Kernel.NLM_F_REQUEST | NLM_F_CREATE, family, "add chain " + chain)
        .attrString(1, table) // NFTA_CHAIN_TABLE
        .attrString(3, chain); // NFTA_CHAIN_NAME
    if (comment != null) {
      r.attr(12, userdata(comment)); // NFTA_CHAIN_USERDATA
    }
    messages.add(r);
    return this;
  }

  /**
   * Creates base chain {@code chain} of {@code type} (e.g. {@code nat}) on {@code hook} at {@code priority} in
   * {@code table}, or leaves an existing one with that hook as it is (nft's {@code add chain ... { type ... }}).
   */
  public NfTablesBatch addBaseChain(int family, String table, String chain, String type, int hook, int priority) {
    Request r = message(NFT_MSG_NEWCHAIN, Kernel.NLM_F_REQUEST | NLM_F_CREATE, family, "add chain " + chain)
        .attrString(1, table) // NFTA_CHAIN_TABLE
        .attrString(3, chain) // NFTA_CHAIN_NAME
        .attrString(7, type); // NFTA_CHAIN_TYPE
    int h = r.begin(NESTED | 4); // NFTA_CHAIN_HOOK
    r.attr(1, be32(hook)).attr(2, be32(priority)).end(h); // NFTA_HOOK_HOOKNUM, NFTA_HOOK_PRIORITY
    messages.add(r);
    return this;
  }

  /** Creates chain {@code chain} in {@code table}; the whole batch fails if it exists (as {@code iptables -N}). */
  public NfTablesBatch newChain(int family, String table, String chain) {
    messages.add(message(NFT_MSG_NEWCHAIN, Kernel.NLM_F_REQUEST | NLM_F_EXCL, family, "new chain " + chain)
        .attrString(1, table) // NFTA_CHAIN_TABLE
        .attrString(3, chain)); // NFTA_CHAIN_NAME
    return this;
  }

  /** Appends a rule of {@code exprs} to {@code chain} of {@code table}. */
  public NfTablesBatch appendRule(int family, String table, String chain, List<Expr> exprs) {
    return addRule(family, table, chain, exprs, 0, true);
  }

  /**
   * Adds a rule of {@code exprs} to {@code chain} of {@code table}, at its end ({@code append}) or its start;
   * {@code compatProto} is the iptables protocol ({@code -p}) iptables-nft records with the rule, 0 for none.
   */
  public NfTablesBatch addRule(int family, String table, String chain, List<Expr> exprs, int compatProto,
      boolean append) {
    Request r = rule(family, table, chain, exprs, append);
    int compat = r.begin(NESTED | 5); // NFTA_RULE_COMPAT: the protocol, no flags, as iptables-nft writes it
    r.attr(1, be32(compatProto)).attr(2, be32(0)).end(compat);
    messages.add(r);
    return this;
  }

  /**
   * Appends a rule of {@code exprs} to {@code chain} of {@code table} as nft writes it: no iptables protocol, and
   * {@code comment} (null for none) in the rule's user data.
   */
  public NfTablesBatch appendNftRule(int family, String table, String chain, List<Expr> exprs, String comment) {
    Request r = rule(family, table, chain, exprs, true);
    if (comment != null) {
      r.attr(7, userdata(comment)); // NFTA_RULE_USERDATA
    }
    messages.add(r);
    return this;
  }

  private static Request rule(int family, String table, String chain, List<Expr> exprs, boolean append) {
    int flags = Kernel.NLM_F_REQUEST | NLM_F_CREATE | (append ? NLM_F_APPEND : 0);
    Request r = message(NFT_MSG_NEWRULE, flags, family, (append ? "append rule to " : "insert rule in ") + chain)
        .attrString(1, table) // NFTA_RULE_TABLE
        .attrString(2, chain); // NFTA_RULE_CHAIN
    int list = r.begin(NESTED | 4); // NFTA_RULE_EXPRESSIONS
    for (Expr e : exprs) {
      int elem = r.begin(NESTED | 1); // NFTA_LIST_ELEM
      r.attrString(1, e.name); // NFTA_EXPR_NAME
      int data = r.begin(NESTED | 2); // NFTA_EXPR_DATA
      e.body.accept(r);
      r.end(data).end(elem);
    }
    return r.end(list);
  }

  /**
   * A comment as libnftnl writes it into user data: one TLV of type comment, one length byte, the UTF-8 text and a
   * NUL.
   */
  static byte[] userdata(String comment) {
    byte[] text = comment.getBytes(StandardCharsets.UTF_8);
    if (text.length + 1 > 255) {
      throw new IllegalArgumentException("comment longer than 254 bytes");
    }
    byte[] out = new byte[text.length + 3];
    out[0] = UDATA_COMMENT;
    out[1] = (byte) (text.length + 1);
    System.arraycopy(text, 0, out, 2, text.length);
    return out;
  }

  /** Deletes every rule of {@code chain} ({@code iptables -F}); the whole batch fails if the chain is missing. */
  public NfTablesBatch flushChain(int family, String table, String chain) {
    messages.add(message(NFT_MSG_DELRULE, Kernel.NLM_F_REQUEST, family, "flush chain " + chain)
        .attrString(1, table) // NFTA_RULE_TABLE
        .attrString(2, chain)); // NFTA_RULE_CHAIN
    return this;
  }

  /** Deletes the rule with {@code handle} from {@code chain}; the whole batch fails if it is gone. */
  public NfTablesBatch deleteRule(int family, String table, String chain, long handle) {
    messages.add(message(NFT_MSG_DELRULE, Kernel.NLM_F_REQUEST, family, "delete rule " + handle + " of " + chain)
        .attrString(1, table) // NFTA_RULE_TABLE
        .attrString(2, chain) // NFTA_RULE_CHAIN
        .attr(3, be64(handle))); // NFTA_RULE_HANDLE
    return this;
  }

  /** Deletes the empty, unreferenced chain {@code chain} ({@code iptables -X}); otherwise the whole batch fails. */
  public NfTablesBatch deleteChain(int family, String table, String chain) {
    messages.add(message(NFT_MSG_DELCHAIN, Kernel.NLM_F_REQUEST, family, "delete chain " + chain)
        .attrString(1, table) // NFTA_CHAIN_TABLE
        .attrString(3, chain)); // NFTA_CHAIN_NAME
    return this;
  }

  /**
   * The batch as the datagram {@link NfTablesSocket#commit} sends, its messages numbered from {@code firstSeq} (tests
   * compare it with what iptables-nft sends).
   */
  public byte[] encode(int firstSeq, int portId) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int seq = firstSeq;
    write(out, batchMarker(NFNL_MSG_BATCH_BEGIN).finish(seq++, portId));
    for (Request m : messages) {
      write(out, m.finish(seq++, portId));
    }
    write(out, batchMarker(NFNL_MSG_BATCH_END).finish(seq, portId));
    return out.toByteArray();
  }

  int size() {
    return messages.size();
  }

  /** Adds {@code other}'s messages after this batch's, so that both go in one transaction. */
  public void addAll(NfTablesBatch other) {
    messages.addAll(other.messages);
  }

  /** Whether the batch changes nothing. */
  public boolean isEmpty() {
    return messages.isEmpty();
  }

  private static void write(ByteArrayOutputStream out, ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.get(a);
    out.write(a, 0, a.length);
  }

  private static Request message(int type, int flags, int family, String what) {
    return new Request(NFNL_SUBSYS_NFTABLES << 8 | type, flags, what).raw(nfgenmsg(family, 0));
  }

  private static Request batchMarker(int type) {
    return new Request(type, Kernel.NLM_F_REQUEST, "batch").raw(nfgenmsg(0, NFNL_SUBSYS_NFTABLES));
  }

  /** struct nfgenmsg: family, version 0, resource id (big-endian). */
  private static byte[] nfgenmsg(int family, int resId) {
    return new byte[] {(byte) family, 0, (byte) (resId >> 8), (byte) resId};
  }

  static byte[] be32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array();
  }

  /** A port or other 16-bit number as the packet carries it. */
  public static byte[] be16(int v) {
    return new byte[] {(byte) (v >> 8), (byte) v};
  }

  private static byte[] be64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong(v).array();
  }

  /** One expression of a rule. */
  public static final class Expr {
    /** {@code NFT_PAYLOAD_NETWORK_HEADER}. */
    public static final int NETWORK_HEADER = 1;
    /** {@code NFT_PAYLOAD_TRANSPORT_HEADER}. */
    public static final int TRANSPORT_HEADER = 2;
    /** {@code NFT_META_MARK}: the packet mark. */
    public static final int META_MARK = 3;
    /** {@code NFT_META_IIFNAME}: the input interface's name. */
    public static final int META_IIFNAME = 6;
    /** {@code NFT_META_OIFNAME}: the output interface's name. */
    public static final int META_OIFNAME = 7;
    /** {@code NFT_META_NFPROTO}: the packet's netfilter family ({@code NFPROTO_IPV4}, {@code NFPROTO_IPV6}). */
    public static final int META_NFPROTO = 15;
    /** {@code NFT_META_L4PROTO}: the transport protocol. */
    public static final int META_L4PROTO = 16;
    /** The transport protocols that nft and iptables name, by name: their IP protocol numbers. */
    public static final Map<String, Integer> PROTOCOLS = Map.of("tcp", 6, "udp", 17, "sctp", 132);
    /** {@code NFT_CMP_EQ}. */
    public static final int EQ = 0;
    /** {@code NFT_CMP_NEQ}. */
    public static final int NEQ = 1;

    private static final int REG_1 = 1;
    private static final int REG_2 = 2;
    private static final int REG_VERDICT = 0;
    private static final int NFTA_FIB_F_DADDR = 2;
    private static final int NFT_FIB_RESULT_ADDRTYPE = 3;
    private static final int RTN_LOCAL = 2;
    private static final int NFT_NAT_DNAT = 1;
    private static final int NF_NAT_RANGE_PROTO_SPECIFIED = 2;
    private static final int NF_DROP = 0;
    private static final int NF_ACCEPT = 1;
    private static final int NFT_JUMP = -3;
    private static final int NFT_GOTO = -4;
    private static final int NFT_RETURN = -5;

    final String name;
    final Consumer<Request> body;

    private Expr(String name, Consumer<Request> body) {
      this.name = name;
      this.body = body;
    }

    /** Loads {@code len} bytes at {@code offset} of header {@code base} into register 1. */
    public static Expr payload(int base, int offset, int len) {
      return new Expr("payload", r -> r.attr(1, be32(REG_1)).attr(2, be32(base)).attr(3, be32(offset))
          .attr(4, be32(len)));
    }

    /** Loads the packet's meta datum {@code key} into register 1 (key before register, as libnftnl writes it). */
    public static Expr meta(int key) {
      return new Expr("meta", r -> r.attr(2, be32(key)).attr(1, be32(REG_1)));
    }

    /** Compares register 1 with {@code value}. */
    public static Expr cmp(int op, byte[] value) {
      return new Expr("cmp", r -> {
        r.attr(1, be32(REG_1)).attr(2, be32(op));
        int data = r.begin(NESTED | 3); // NFTA_CMP_DATA
        r.attr(1, value).end(data); // NFTA_DATA_VALUE
      });
    }

    /** Register 1 = (register 1 &amp; {@code mask}) ^ {@code xor}, over {@code mask.length} bytes. */
    public static Expr bitwise(byte[] mask, byte[] xor) {
      return new Expr("bitwise", r -> {
        r.attr(1, be32(REG_1)).attr(2, be32(REG_1)).attr(3, be32(mask.length));
        int m = r.begin(NESTED | 4);
        r.attr(1, mask).end(m);
        int x = r.begin(NESTED | 5);
        r.attr(1, xor).end(x);
      });
    }

    /**
     * Compares the {@code address.length}-byte address at {@code offset} of the network header with the first
     * {@code prefixLength} bits of {@code address} ({@code op}), as nft and iptables-nft encode an address prefix:
     * a byte-aligned prefix loads and compares only its whole bytes, any other (0 too) loads the whole address and
     * masks it first.
     */
    public static List<Expr> prefix(int offset, byte[] address, int prefixLength, int op) {
      if (prefixLength > 0 && prefixLength % 8 == 0) {
        int len = prefixLength / 8;
        return List.of(payload(NETWORK_HEADER, offset, len), cmp(op, Arrays.copyOf(address, len)));
      }
      int len = address.length;
      byte[] mask = new byte[len];
      byte[] masked = new byte[len];
      for (int bit = 0; bit < prefixLength; bit++) {
        mask[bit / 8] |= (byte) (0x80 >>> (bit % 8));
      }
      for (int i = 0; i < len; i++) {
        masked[i] = (byte) (address[i] & mask[i]);
      }
      return List.of(payload(NETWORK_HEADER, offset, len), bitwise(mask, new byte[len]), cmp(op, masked));
    }

    /**
     * nft's {@code fib daddr type local}: the route type of the packet's destination looked up, then compared with
     * {@code RTN_LOCAL} (a number in host byte order, as the kernel stores it).
     */
    public static List<Expr> fibDaddrTypeLocal() {
      Expr fib = new Expr("fib", r -> r.attr(3, be32(NFTA_FIB_F_DADDR)) // NFTA_FIB_FLAGS
          .attr(2, be32(NFT_FIB_RESULT_ADDRTYPE)) // NFTA_FIB_RESULT
          .attr(1, be32(REG_1))); // NFTA_FIB_DREG
      byte[] local = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(RTN_LOCAL).array();
      return List.of(fib, cmp(EQ, local));
    }

    /**
     * nft's {@code dnat to ADDRESS:PORT} in a table of {@code family}: the address loaded into register 1, the port
     * into register 2, and the destination of the packet rewritten to both.
     */
    public static List<Expr> dnat(int family, byte[] address, int port) {
      Expr nat = new Expr("nat", r -> r.attr(1, be32(NFT_NAT_DNAT)) // NFTA_NAT_TYPE
          .attr(2, be32(family)) // NFTA_NAT_FAMILY
          .attr(3, be32(REG_1)) // NFTA_NAT_REG_ADDR_MIN
          .attr(5, be32(REG_2)) // NFTA_NAT_REG_PROTO_MIN
          .attr(7, be32(NF_NAT_RANGE_PROTO_SPECIFIED))); // NFTA_NAT_FLAGS
      return List.of(immediate(REG_1, address.clone()), immediate(REG_2, be16(port)), nat);
    }

    /** Loads {@code value} into register {@code reg}. */
    private static Expr immediate(int reg, byte[] value) {
      return new Expr("immediate", r -> {
        r.attr(1, be32(reg)); // NFTA_IMMEDIATE_DREG
        int data = r.begin(NESTED | 2); // NFTA_IMMEDIATE_DATA
        r.attr(1, value).end(data); // NFTA_DATA_VALUE
      });
    }

    /**
     * nft's {@code PROTOCOL dport PORT}: the packet's transport protocol is {@code protocol} (an IP protocol number)
     * and its destination port {@code port}.
     */
    public static List<Expr> dport(int protocol, int port) {
      return List.of(meta(META_L4PROTO), cmp(EQ, new byte[] {(byte) protocol}), payload(TRANSPORT_HEADER, 2, 2),
          cmp(EQ, be16(port)));
    }

    /** Masquerade: the packet's source becomes the output interface's address. */
    public static Expr masq() {
      return new Expr("masq", r -> { });
    }

    /** An xtables match through nft_compat: {@code info} is the match's struct as the kernel module reads it. */
    public static Expr match(String name, int rev, byte[] info) {
      return new Expr("match", r -> r.attrString(1, name).attr(2, be32(rev)).attr(3, info));
    }

    /** An xtables target through nft_compat. */
    public static Expr target(String name, int rev, byte[] info) {
      return new Expr("target", r -> r.attrString(1, name).attr(2, be32(rev)).attr(3, info));
    }

    /** A packet and byte counter starting at zero. */
    public static Expr counter() {
      return new Expr("counter", r -> r.attr(1, be64(0)).attr(2, be64(0)));
    }

    /** The verdict accept. */
    public static Expr accept() {
      return verdict(NF_ACCEPT, null);
    }

    /** The verdict drop. */
    public static Expr drop() {
      return verdict(NF_DROP, null);
    }

    /** The verdict return: back to the calling chain. */
    public static Expr ret() {
      return verdict(NFT_RETURN, null);
    }

    /** A jump to chain {@code chain}. */
    public static Expr jump(String chain) {
      return verdict(NFT_JUMP, chain);
    }

    /** A goto to chain {@code chain}: no return here. */
    public static Expr goTo(String chain) {
      return verdict(NFT_GOTO, chain);
    }

    private static Expr verdict(int code, String chain) {
      return new Expr("immediate", r -> {
        r.attr(1, be32(REG_VERDICT));
        int data = r.begin(NESTED | 2); // NFTA_IMMEDIATE_DATA
        int verdict = r.begin(NESTED | 2); // NFTA_DATA_VERDICT
        r.attr(1, be32(code));
        if (chain != null) {
          r.attrString(2, chain);
        }
        r.end(verdict).end(data);
      });
    }
  }
}
