package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.plugins.internal.linux.NfTablesRules.Expr;
import io.jcni.plugins.internal.linux.NfTablesRules.Rule;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns the nf_tables expressions of an iptables-nft rule of either family back into the words iptables-save (or
 * ip6tables-save) prints for it, for
 * the subset {@link IptablesNftRule} writes: interfaces, {@code -p tcp|udp|sctp}, addresses, {@code --dport}/{@code
 * --sport}, the comment, multiport, addrtype, mark and conntrack-state matches, and the ACCEPT, DROP, RETURN,
 * MASQUERADE, MARK, DNAT targets, jumps and gotos. Any other rule is {@linkplain ListedRule#unrecognised not
 * recognised}.
 *
 * <p>iptables-save's order: source, destination, input and output interface, protocol, then the matches as they
 * come, then the target.
 */
final class IptablesNftDecoder {
  private static final Map<Integer, String> PROTOCOLS = Map.of(6, "tcp", 17, "udp", 132, "sctp");
  /** The conntrack states in the order iptables prints them, with their XT_CONNTRACK_STATE bits. */
  private static final List<Map.Entry<String, Integer>> CT_STATES = List.of(Map.entry("INVALID", 1),
      Map.entry("NEW", 1 << 3), Map.entry("RELATED", 1 << 2), Map.entry("ESTABLISHED", 1 << 1),
      Map.entry("UNTRACKED", 1 << 8));
  private static final int NF_DROP = 0;
  private static final int NF_ACCEPT = 1;
  private static final int NFT_JUMP = -3;
  private static final int NFT_GOTO = -4;
  private static final int NFT_RETURN = -5;

  private IptablesNftDecoder() {}

  /** The rule as iptables-save prints it, or a placeholder if it is not one this decoder knows. */
  static ListedRule decode(IptablesFamily family, Rule rule) {
    try {
      return new ListedRule(new IptablesRule(rule.chain(), new Walk(family, rule.exprs()).words()), rule.handle(),
          true);
    } catch (NotRecognised | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      // a truncated attribute is as foreign as an unknown expression
      return ListedRule.unrecognised(rule.chain(), rule.handle());
    }
  }

  /** An expression, or a sequence of them, that is not one iptables-nft writes for the covered words. */
  private static final class NotRecognised extends RuntimeException {
    NotRecognised() {
      super(null, null, false, false);
    }
  }

  private static void require(boolean ok) {
    if (!ok) {
      throw new NotRecognised();
    }
  }

  /** One pass over the expressions, putting each part where iptables-save prints it. */
  private static final class Walk {
    private final IptablesFamily family;
    private final List<Expr> exprs;
    private int pos;
    private final List<String> src = new ArrayList<>();
    private final List<String> dst = new ArrayList<>();
    private final List<String> iif = new ArrayList<>();
    private final List<String> oif = new ArrayList<>();
    private String protocol;
    private final List<String> matches = new ArrayList<>();
    private final List<String> target = new ArrayList<>();

    Walk(IptablesFamily family, List<Expr> exprs) {
      this.family = family;
      this.exprs = exprs;
    }

    List<String> words() {
      while (pos < exprs.size()) {
        require(target.isEmpty());
        Expr e = exprs.get(pos++);
        switch (e.name()) {
          case "meta" -> meta(e);
          case "payload" -> payload(e);
          case "match" -> match(e);
          case "counter" -> { }
          case "immediate" -> verdict(e);
          case "target" -> target(e);
          default -> throw new NotRecognised();
        }
      }
      require(!target.isEmpty());
      List<String> out = new ArrayList<>(src);
      out.addAll(dst);
      out.addAll(iif);
      out.addAll(oif);
      if (protocol != null) {
        out.addAll(List.of("-p", protocol));
      }
      out.addAll(matches);
      out.addAll(target);
      return out;
    }

    private Expr next(String name) {
      require(pos < exprs.size() && exprs.get(pos).name().equals(name));
      return exprs.get(pos++);
    }

    /** A cmp on register 1: its operator (EQ 0, NEQ 1) and value. */
    private Object[] cmp() {
      Expr c = next("cmp");
      require(c.u32(0, 1) == 1); // register 1, where every load here puts its value
      int op = c.u32(-1, 2);
      require(op == 0 || op == 1);
      byte[] v = c.bytes(3, 1);
      require(v != null);
      return new Object[] {op == 1, v};
    }

    private void meta(Expr e) {
      require(e.u32(0, 1) == 1);
      int key = e.u32(-1, 2);
      switch (key) {
        case 6, 7 -> { // iifname, oifname
          Object[] c = cmp();
          byte[] v = (byte[]) c[1];
          String name = v.length > 0 && v[v.length - 1] == 0
              ? new String(v, 0, v.length - 1, StandardCharsets.UTF_8)
              : new String(v, StandardCharsets.UTF_8) + "+";
          require(!name.isEmpty() && name.indexOf('\0') < 0);
          List<String> into = key == 6 ? iif : oif;
          require(into.isEmpty());
          negate(into, (boolean) c[0]);
          into.addAll(List.of(key == 6 ? "-i" : "-o", name));
        }
        case 16 -> { // l4proto
          Object[] c = cmp();
          byte[] v = (byte[]) c[1];
          require(!(boolean) c[0] && v.length == 1 && protocol == null);
          protocol = PROTOCOLS.get(v[0] & 0xff);
          require(protocol != null);
        }
        case 3 -> mark();
        default -> throw new NotRecognised();
      }
    }

    /** {@code -m mark --mark v[/m]}: the mark, optionally masked, compared for equality (host order). */
    private void mark() {
      long mask = 0xffffffffL;
      if (pos < exprs.size() && exprs.get(pos).name().equals("bitwise")) {
        Expr b = exprs.get(pos++);
        byte[] m = b.bytes(4, 1);
        byte[] x = b.bytes(5, 1);
        require(m != null && m.length == 4 && Arrays.equals(x, new byte[4]));
        mask = host(m).getInt() & 0xffffffffL;
      }
      Object[] c = cmp();
      byte[] v = (byte[]) c[1];
      require(!(boolean) c[0] && v.length == 4);
      long value = host(v).getInt() & 0xffffffffL;
      matches.addAll(List.of("-m", "mark", "--mark",
          mask == 0xffffffffL ? hex(value) : hex(value) + "/" + hex(mask)));
    }

    private void payload(Expr e) {
      int base = e.u32(-1, 2);
      int offset = e.u32(-1, 3);
      int len = e.u32(-1, 4);
      boolean source = offset == family.saddrOffset;
      if (base == 1 && (source || offset == family.daddrOffset) && len >= 1 && len <= family.addressLength) {
        address(source ? src : dst, source ? "-s" : "-d", len);
      } else if (base == 2 && (offset == 0 || offset == 2) && len == 2) {
        Object[] c = cmp();
        byte[] v = (byte[]) c[1];
        require(!(boolean) c[0] && v.length == 2 && ("tcp".equals(protocol) || "udp".equals(protocol)));
        int port = ByteBuffer.wrap(v).getShort() & 0xffff;
        matches.addAll(List.of("-m", protocol, offset == 0 ? "--sport" : "--dport", Integer.toString(port)));
      } else {
        throw new NotRecognised();
      }
    }

    /** An address prefix: whole bytes compared, or the whole address masked then compared. */
    private void address(List<String> into, String flag, int len) {
      require(into.isEmpty());
      int prefix = len * 8;
      if (pos < exprs.size() && exprs.get(pos).name().equals("bitwise")) {
        require(len == family.addressLength);
        Expr b = exprs.get(pos++);
        byte[] m = b.bytes(4, 1);
        require(m != null && m.length == len && Arrays.equals(b.bytes(5, 1), new byte[len]));
        prefix = prefixOf(m);
      }
      Object[] c = cmp();
      byte[] v = (byte[]) c[1];
      require(v.length == len);
      negate(into, (boolean) c[0]);
      into.addAll(List.of(flag, addressText(Arrays.copyOf(v, family.addressLength)) + "/" + prefix));
    }

    /** The length of a contiguous mask; anything else is not one iptables writes. */
    private static int prefixOf(byte[] mask) {
      int prefix = 0;
      while (prefix < mask.length * 8 && (mask[prefix / 8] & (0x80 >>> (prefix % 8))) != 0) {
        prefix++;
      }
      for (int bit = prefix; bit < mask.length * 8; bit++) {
        require((mask[bit / 8] & (0x80 >>> (bit % 8))) == 0);
      }
      return prefix;
    }

    private void match(Expr e) {
      String name = e.string(1);
      int rev = e.u32(-1, 2);
      byte[] info = e.bytes(3);
      require(name != null && info != null);
      ByteBuffer b = host(info);
      switch (name + "/" + rev) {
        case "comment/0" -> {
          int n = 0;
          while (n < info.length && info[n] != 0) {
            n++;
          }
          matches.addAll(List.of("-m", "comment", "--comment", new String(info, 0, n, StandardCharsets.UTF_8)));
        }
        case "multiport/1" -> {
          require(info.length >= 48 && b.get(0) == 1 && b.get(47) == 0); // destination ports, not inverted
          int count = b.get(1) & 0xff;
          require(count >= 1 && count <= 15);
          List<String> ports = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            require(b.get(32 + i) == 0); // not a range
            ports.add(Integer.toString(b.getShort(2 + 2 * i) & 0xffff));
          }
          matches.addAll(List.of("-m", "multiport", "--dports", String.join(",", ports)));
        }
        case "addrtype/1" -> {
          require(info.length >= 8 && b.getShort(0) == 0 && b.getShort(2) == 4 && b.getInt(4) == 0);
          matches.addAll(List.of("-m", "addrtype", "--dst-type", "LOCAL"));
        }
        case "conntrack/3" -> {
          require(info.length >= 168 && b.getShort(146) == 1 && b.getShort(148) == 0);
          int states = b.getShort(150) & 0xffff;
          List<String> names = new ArrayList<>();
          for (Map.Entry<String, Integer> s : CT_STATES) {
            if ((states & s.getValue()) != 0) {
              names.add(s.getKey());
              states &= ~s.getValue();
            }
          }
          require(states == 0 && !names.isEmpty());
          matches.addAll(List.of("-m", "conntrack", "--ctstate", String.join(",", names)));
        }
        default -> throw new NotRecognised();
      }
    }

    private void verdict(Expr e) {
      require(e.u32(-1, 1) == 0); // the verdict register
      int code = e.u32(Integer.MIN_VALUE, 2, 2, 1);
      String chain = e.string(2, 2, 2);
      switch (code) {
        case NF_ACCEPT -> target.addAll(List.of("-j", "ACCEPT"));
        case NF_DROP -> target.addAll(List.of("-j", "DROP"));
        case NFT_RETURN -> target.addAll(List.of("-j", "RETURN"));
        case NFT_JUMP, NFT_GOTO -> {
          require(chain != null && !chain.isEmpty());
          target.addAll(List.of(code == NFT_JUMP ? "-j" : "-g", chain));
        }
        default -> throw new NotRecognised();
      }
    }

    private void target(Expr e) {
      String name = e.string(1);
      int rev = e.u32(-1, 2);
      byte[] info = e.bytes(3);
      require(name != null && info != null);
      ByteBuffer b = host(info);
      switch (name + "/" + rev) {
        case "MASQUERADE/0" -> {
          if (family == IptablesFamily.V4) {
            require(info.length >= 24 && b.getInt(0) == 1
                && Arrays.equals(Arrays.copyOfRange(info, 4, 24), new byte[20]));
          } else {
            require(info.length >= 40 && Arrays.equals(Arrays.copyOf(info, 40), new byte[40]));
          }
          target.addAll(List.of("-j", "MASQUERADE"));
        }
        case "MARK/2" -> {
          require(info.length >= 8);
          target.addAll(List.of("-j", "MARK", "--set-xmark",
              hex(b.getInt(0) & 0xffffffffL) + "/" + hex(b.getInt(4) & 0xffffffffL)));
        }
        case "DNAT/2" -> {
          require(info.length >= 42 && b.getInt(0) == 3);
          byte[] min = Arrays.copyOfRange(info, 4, 20);
          require(Arrays.equals(min, Arrays.copyOfRange(info, 20, 36)));
          ByteBuffer be = ByteBuffer.wrap(info).order(ByteOrder.BIG_ENDIAN);
          int port = be.getShort(36) & 0xffff;
          require(port == (be.getShort(38) & 0xffff) && be.getShort(40) == 0);
          String to = family == IptablesFamily.V4
              ? addressText(Arrays.copyOf(min, 4))
              : "[" + addressText(min) + "]";
          target.addAll(List.of("-j", "DNAT", "--to-destination", to + ":" + port));
        }
        default -> throw new NotRecognised();
      }
    }

    private static void negate(List<String> into, boolean not) {
      if (not) {
        into.add("!");
      }
    }
  }

  private static ByteBuffer host(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }

  private static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  /** An address as iptables-save prints it (inet_ntop's form). */
  private static String addressText(byte[] bytes) {
    try {
      return Ips.format(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      throw new NotRecognised();
    }
  }
}
