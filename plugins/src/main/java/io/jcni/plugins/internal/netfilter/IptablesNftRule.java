package io.jcni.plugins.internal.netfilter;

import io.jcni.libcni.internal.types.Ips;
import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NfTablesBatch;
import io.jcni.plugins.internal.linux.NfTablesBatch.Expr;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An iptables or ip6tables rule specification as the nf_tables expressions iptables-nft 1.8.9 makes of it, so that
 * iptables-save prints, and iptables -D finds, the rule as if iptables had added it. The families differ only in
 * where the addresses are ({@link IptablesFamily}) and in the NAT targets' structs.
 *
 * <p>iptables-nft's order, whatever the order of the words: input and output interface, protocol, source and
 * destination address, then the matches in the order given, a counter, and the verdict or target. Covered are the
 * words the plugins write: {@code -i}/{@code -o} (exact names, {@code !}), {@code -p tcp|udp|sctp},
 * {@code -s}/{@code -d} (with {@code !}), {@code --dport} (tcp, udp), {@code -m comment}, {@code -m multiport
 * --destination-ports} (single ports), {@code -m addrtype --dst-type LOCAL}, {@code -m mark --mark v/m},
 * {@code -m conntrack --ctstate}, and {@code -j} ACCEPT, DROP, RETURN, MASQUERADE, {@code MARK --set-xmark},
 * {@code DNAT --to-destination ip:port} or a chain, {@code -g} chain. Anything else is not encoded
 * ({@link #encode} gives empty) and is left to iptables-restore.
 *
 * @param compatProto the protocol number iptables-nft records with the rule ({@code -p}), 0 for none
 * @param exprs the rule's expressions
 */
record IptablesNftRule(int compatProto, List<Expr> exprs) {
  /** {@code IFNAMSIZ}: iptables refuses longer interface names. */
  private static final int IFNAMSIZ = 16;
  /** xt_comment's struct: the comment in a fixed 256-byte field. */
  private static final int COMMENT_SIZE = 256;
  private static final int MULTIPORT_MAX = 15;
  /** struct nf_nat_range: flags, min and max address, min and max port. */
  private static final int MASQUERADE6_SIZE = 40;
  /** XT_CONNTRACK_STATE_BIT of each state iptables knows by name. */
  private static final Map<String, Integer> CT_STATES =
      Map.of("INVALID", 1, "ESTABLISHED", 1 << 1, "RELATED", 1 << 2, "NEW", 1 << 3, "UNTRACKED", 1 << 8);

  IptablesNftRule {
    exprs = List.copyOf(exprs);
  }

  /**
   * The expressions of {@code spec} (iptables words after {@code -A chain}) in {@code family}; empty if not covered
   * here.
   */
  static Optional<IptablesNftRule> encode(IptablesFamily family, List<String> spec) {
    try {
      return Optional.of(new Parser(family, spec).parse());
    } catch (NotCovered | IllegalArgumentException | IndexOutOfBoundsException e) {
      return Optional.empty();
    }
  }

  /** A word this encoding does not cover. */
  private static final class NotCovered extends RuntimeException {
    NotCovered() {
      super(null, null, false, false);
    }
  }

  /** One pass over the words, collecting each part where iptables-nft puts it. */
  private static final class Parser {
    private final IptablesFamily family;
    private final List<String> words;
    private int pos;
    private List<Expr> iif = List.of();
    private List<Expr> oif = List.of();
    private String protocol;
    private List<Expr> proto = List.of();
    private List<Expr> saddr = List.of();
    private List<Expr> daddr = List.of();
    private final List<Expr> matches = new ArrayList<>();
    private Expr verdict;

    Parser(IptablesFamily family, List<String> words) {
      this.family = family;
      this.words = words;
    }

    IptablesNftRule parse() {
      while (pos < words.size()) {
        boolean not = words.get(pos).equals("!");
        if (not) {
          pos++;
        }
        String w = next();
        switch (w) {
          case "-i", "--in-interface" -> iif = iface(Expr.META_IIFNAME, next(), not);
          case "-o", "--out-interface" -> oif = iface(Expr.META_OIFNAME, next(), not);
          case "-p", "--protocol" -> protocol(next(), not);
          case "-s", "--source" -> saddr = address(family.saddrOffset, next(), not);
          case "-d", "--destination" -> daddr = address(family.daddrOffset, next(), not);
          case "--dport", "--destination-port" -> dport(next(), not);
          case "-m", "--match" -> match(next(), not);
          case "-j", "--jump" -> target(next(), not);
          case "-g", "--goto" -> goTo(next(), not);
          default -> throw new NotCovered();
        }
      }
      if (verdict == null) {
        throw new NotCovered(); // a rule without a target: iptables-nft writes no verdict expression
      }
      List<Expr> all = new ArrayList<>(iif);
      all.addAll(oif);
      all.addAll(proto);
      all.addAll(saddr);
      all.addAll(daddr);
      all.addAll(matches);
      all.add(Expr.counter());
      all.add(verdict);
      return new IptablesNftRule(protocol == null ? 0 : Expr.PROTOCOLS.get(protocol), all);
    }

    private String next() {
      return words.get(pos++);
    }

    private boolean nextIs(String... options) {
      return pos < words.size() && Arrays.asList(options).contains(words.get(pos));
    }

    private static void require(boolean covered) {
      if (!covered) {
        throw new NotCovered();
      }
    }

    /** An exact interface name is compared with its terminating NUL; a {@code +} wildcard is not covered. */
    private static List<Expr> iface(int key, String name, boolean not) {
      byte[] b = name.getBytes(StandardCharsets.UTF_8);
      require(!name.isEmpty() && !name.endsWith("+") && b.length < IFNAMSIZ);
      return List.of(Expr.meta(key), Expr.cmp(not ? Expr.NEQ : Expr.EQ, Arrays.copyOf(b, b.length + 1)));
    }

    private void protocol(String name, boolean not) {
      require(!not && Expr.PROTOCOLS.containsKey(name) && protocol == null);
      protocol = name;
      proto = List.of(Expr.meta(Expr.META_L4PROTO),
          Expr.cmp(Expr.EQ, new byte[] {Expr.PROTOCOLS.get(name).byteValue()}));
    }

    /**
     * {@code -s}/{@code -d}: the address prefix as nft encodes it ({@link Expr#prefix}). A prefix of 0 matches
     * everything and writes nothing.
     */
    private List<Expr> address(int offset, String text, boolean not) {
      IpNet net = text.contains("/") ? IpNet.tryParse(text) : hostNet(text);
      require(net != null && family.holds(net.ip()));
      if (net.prefixLength() == 0) {
        require(!not);
        return List.of();
      }
      return Expr.prefix(offset, net.ip().getAddress(), net.prefixLength(), not ? Expr.NEQ : Expr.EQ);
    }

    private static IpNet hostNet(String text) {
      InetAddress ip = Ips.tryParse(text);
      return ip == null ? null : IpNet.of(ip, ip.getAddress().length * 8);
    }

    /** {@code --dport n} of the protocol's implicit match: nft compares the transport header's port natively. */
    private void dport(String port, boolean not) {
      require(!not && ("tcp".equals(protocol) || "udp".equals(protocol)));
      matches.add(Expr.payload(Expr.TRANSPORT_HEADER, 2, 2));
      matches.add(Expr.cmp(Expr.EQ, NfTablesBatch.be16(port(port))));
    }

    private void match(String name, boolean not) {
      require(!not);
      switch (name) {
        case "comment" -> {
          require(nextIs("--comment"));
          pos++;
          byte[] text = next().getBytes(StandardCharsets.UTF_8);
          require(text.length < COMMENT_SIZE);
          matches.add(Expr.match("comment", 0, Arrays.copyOf(text, COMMENT_SIZE)));
        }
        case "multiport" -> {
          // the protocol may come between -m multiport and its option, as Go writes it
          if (nextIs("-p", "--protocol")) {
            pos++;
            protocol(next(), false);
          }
          require(nextIs("--destination-ports", "--dports"));
          pos++;
          matches.add(multiport(next()));
        }
        case "addrtype" -> {
          require(nextIs("--dst-type"));
          pos++;
          require(next().equals("LOCAL"));
          // xt_addrtype_info_v1: source, dest (XT_ADDRTYPE_LOCAL), flags
          matches.add(Expr.match("addrtype", 1, host(8).putShort((short) 0).putShort((short) 4).array()));
        }
        case "mark" -> {
          require(nextIs("--mark"));
          pos++;
          long[] vm = valueMask(next());
          require(vm[1] != 0xffffffffL);
          matches.add(Expr.meta(Expr.META_MARK));
          matches.add(Expr.bitwise(host(4).putInt((int) vm[1]).array(), new byte[4]));
          matches.add(Expr.cmp(Expr.EQ, host(4).putInt((int) vm[0]).array()));
        }
        case "conntrack" -> {
          require(nextIs("--ctstate"));
          pos++;
          int states = 0;
          for (String s : next().split(",")) {
            Integer bit = CT_STATES.get(s);
            require(bit != null);
            states |= bit;
          }
          // xt_conntrack_mtinfo3: match_flags XT_CONNTRACK_STATE at 146, state_mask at 150, 168 bytes in all
          matches.add(Expr.match("conntrack", 3,
              host(168).putShort(146, (short) 1).putShort(150, (short) states).array()));
        }
        default -> throw new NotCovered();
      }
    }

    /** xt_multiport_v1 for destination ports: flags, count, 15 ports, 15 range flags, invert. */
    private static Expr multiport(String list) {
      String[] ports = list.split(",");
      require(ports.length <= MULTIPORT_MAX);
      ByteBuffer b = host(48).put((byte) 1).put((byte) ports.length); // XT_MULTIPORT_DESTINATION
      for (String p : ports) {
        b.putShort((short) port(p));
      }
      return Expr.match("multiport", 1, b.array());
    }

    private void target(String name, boolean not) {
      require(!not && verdict == null);
      switch (name) {
        case "ACCEPT" -> verdict = Expr.accept();
        case "DROP" -> verdict = Expr.drop();
        case "RETURN" -> verdict = Expr.ret();
        case "MASQUERADE" ->
          // IPv4: nf_nat_ipv4_multi_range_compat with one empty range (no --to-ports, no --random), host order;
          // IPv6: an empty nf_nat_range
          verdict = Expr.target("MASQUERADE", 0,
              family == IptablesFamily.V4 ? host(24).putInt(1).array() : new byte[MASQUERADE6_SIZE]);
        case "MARK" -> {
          require(nextIs("--set-xmark"));
          pos++;
          long[] vm = valueMask(next());
          verdict = Expr.target("MARK", 2, host(8).putInt((int) vm[0]).putInt((int) vm[1]).array());
        }
        case "DNAT" -> {
          require(nextIs("--to-destination"));
          pos++;
          verdict = dnat(family, next());
        }
        default -> {
          require(isChainName(name));
          verdict = Expr.jump(name);
        }
      }
    }

    private void goTo(String chain, boolean not) {
      require(!not && verdict == null && isChainName(chain));
      verdict = Expr.goTo(chain);
    }

    /**
     * nf_nat_range2 for {@code ip:port} ({@code [ip6]:port}): flags NF_NAT_RANGE_MAP_IPS |
     * NF_NAT_RANGE_PROTO_SPECIFIED (host order), min and max address (16 bytes each), min and max port (network
     * order), base port; 48 bytes with padding.
     */
    private static Expr dnat(IptablesFamily family, String to) {
      int colon = to.lastIndexOf(':');
      require(colon > 0 && !to.contains("-"));
      String host = to.substring(0, colon);
      if (family == IptablesFamily.V6) {
        require(host.startsWith("[") && host.endsWith("]"));
        host = host.substring(1, host.length() - 1);
      }
      InetAddress ip = Ips.tryParse(host);
      require(family.holds(ip));
      int port = port(to.substring(colon + 1));
      ByteBuffer b = host(48).putInt(3);
      b.put(4, ip.getAddress()).put(20, ip.getAddress());
      b.order(ByteOrder.BIG_ENDIAN).putShort(36, (short) port).putShort(38, (short) port);
      return Expr.target("DNAT", 2, b.array());
    }

    /**
     * A name taken as a user chain: xtables targets (LOG, REJECT, SNAT...) are all capitals, digits and
     * underscores, so a name like that is left to iptables; the plugins' chains ({@code CNI-...}) have a dash.
     */
    private static boolean isChainName(String name) {
      return !name.isEmpty() && !name.startsWith("-") && name.length() < 29 && !name.matches("[A-Z0-9_]+");
    }

    private static int port(String text) {
      require(text.matches("[0-9]{1,5}"));
      int p = Integer.parseInt(text);
      require(p <= 65535);
      return p;
    }

    /** {@code value/mask} in hex or decimal, as iptables reads a mark. */
    private static long[] valueMask(String text) {
      String[] vm = text.split("/");
      require(vm.length == 2);
      return new long[] {Long.decode(vm[0]) & 0xffffffffL, Long.decode(vm[1]) & 0xffffffffL};
    }

    private static ByteBuffer host(int size) {
      return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    }
  }
}
