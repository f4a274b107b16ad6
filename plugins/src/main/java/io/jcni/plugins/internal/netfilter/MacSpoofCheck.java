package io.jcni.plugins.internal.netfilter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcni.libcni.types.CniException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The bridge plugin's {@code macspoofchk}: nftables rules in {@code table bridge nat} that drop frames entering
 * the bridge from the container's host veth unless their source MAC is the container's, laid out as the Go plugin
 * (and libvirt's ebtables filters) do:
 *
 * <pre>
 * chain PREROUTING (filter, prerouting, priority -300, accept):  iifname "vethX" jump cni-br-iface-ID
 * chain cni-br-iface-ID:                                         jump cni-br-iface-ID-mac
 * chain cni-br-iface-ID-mac:                                     ether saddr MAC return; drop
 * </pre>
 *
 * where ID is {@code <containerId>-<ifName>} and every rule has the comment {@code macspoofchk-ID}.
 *
 * <p>Setup is one {@code nft -j -f -} transaction (Go needs two); teardown reads the table once and deletes in one
 * more, and only what exists, so it succeeds when nothing is left.
 */
public final class MacSpoofCheck {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String FAMILY = "bridge";
  static final String TABLE = "nat";
  static final String BASE_CHAIN = "PREROUTING";

  private final FirewallExec exec;

  public MacSpoofCheck(FirewallExec exec) {
    this.exec = Objects.requireNonNull(exec, "exec");
  }

  /** A spoof check that runs nft on this machine. */
  public static MacSpoofCheck onHost() {
    return new MacSpoofCheck(FirewallExec.host());
  }

  /** The id in chain names and comments: {@code <containerId>-<ifName>}. */
  public static String refId(String containerId, String ifName) {
    return containerId + "-" + ifName;
  }

  /** The comment on every rule of the attachment: {@code macspoofchk-<containerId>-<ifName>}. */
  public static String comment(String containerId, String ifName) {
    return "macspoofchk-" + refId(containerId, ifName);
  }

  /** The attachment's interface chain, {@code cni-br-iface-<containerId>-<ifName>}; its MAC chain adds {@code -mac}. */
  public static String ifaceChain(String containerId, String ifName) {
    return "cni-br-iface-" + refId(containerId, ifName);
  }

  /**
   * Lets frames from {@code hostVeth} into the bridge only with source {@code mac}.
   *
   * @param mac the container interface's MAC, {@code aa:bb:cc:dd:ee:ff}
   * @throws CniException {@code failed to setup spoof-check: …}; nothing is changed then
   */
  public void setup(String containerId, String ifName, String hostVeth, String mac) throws CniException {
    try {
      exec.run(List.of("nft", "-j", "-f", "-"), setupJson(containerId, ifName, hostVeth, mac));
    } catch (CniException e) {
      throw e.withPrefix("failed to setup spoof-check: ");
    }
  }

  /** The setup transaction in libnftables JSON: declare table and chains, reset the attachment's chains, add rules. */
  static String setupJson(String containerId, String ifName, String hostVeth, String mac) {
    String iface = ifaceChain(containerId, ifName);
    String macChain = iface + "-mac";
    String comment = comment(containerId, ifName);
    ArrayNode cmds = JSON.createArrayNode();
    cmds.addObject().putObject("add").putObject("table").put("family", FAMILY).put("name", TABLE);
    cmds.addObject().putObject("add").set("chain", chain(BASE_CHAIN)
        .put("type", "filter").put("hook", "prerouting").put("prio", -300).put("policy", "accept"));
    cmds.addObject().putObject("add").set("chain", chain(iface));
    cmds.addObject().putObject("add").set("chain", chain(macChain));
    cmds.addObject().putObject("flush").set("chain", chain(iface));
    cmds.addObject().putObject("flush").set("chain", chain(macChain));

    ObjectNode ifaceMatch = JSON.createObjectNode();
    ObjectNode m = ifaceMatch.putObject("match").put("op", "==");
    m.putObject("left").putObject("meta").put("key", "iifname");
    m.put("right", hostVeth);
    cmds.addObject().putObject("add").set("rule", rule(BASE_CHAIN, comment, ifaceMatch, jump(iface)));

    cmds.addObject().putObject("add").set("rule", rule(iface, comment, jump(macChain)));

    ObjectNode macMatch = JSON.createObjectNode();
    ObjectNode mm = macMatch.putObject("match").put("op", "==");
    mm.putObject("left").putObject("payload").put("protocol", "ether").put("field", "saddr");
    mm.put("right", mac.toLowerCase(Locale.ROOT));
    ObjectNode ret = JSON.createObjectNode().putNull("return");
    cmds.addObject().putObject("add").set("rule", rule(macChain, comment, macMatch, ret));

    cmds.addObject().putObject("add").set("rule", rule(macChain, comment, JSON.createObjectNode().putNull("drop")));
    return wrap(cmds);
  }

  /**
   * Removes the attachment's PREROUTING rules and both its chains. Succeeds when they are already gone.
   *
   * @throws CniException {@code failed to teardown spoof-check: …}
   */
  public void teardown(String containerId, String ifName) throws CniException {
    try {
      for (int attempt = 1; ; attempt++) {
        String script = teardownJson(containerId, ifName, list());
        if (script == null) {
          return;
        }
        try {
          exec.run(List.of("nft", "-j", "-f", "-"), script);
          return;
        } catch (FirewallCommandException e) {
          if (attempt >= 2) {
            throw e;
          }
        }
      }
    } catch (CniException e) {
      throw e.withPrefix("failed to teardown spoof-check: ");
    }
  }

  /**
   * The teardown transaction for what {@code table} holds, or {@code null} if there is nothing to delete. Besides
   * Go's rules (matched by comment) it deletes any other base-chain rule jumping to the interface chain, because
   * such a rule would keep the chain from being deleted.
   */
  static String teardownJson(String containerId, String ifName, NftRuleRef.Listing table) {
    String iface = ifaceChain(containerId, ifName);
    String macChain = iface + "-mac";
    String comment = comment(containerId, ifName);
    ArrayNode cmds = JSON.createArrayNode();
    for (NftRuleRef r : table.rules()) {
      if (!r.chain().equals(iface) && !r.chain().equals(macChain)
          && (BASE_CHAIN.equals(r.chain()) && comment.equals(r.comment()) || r.jumpsTo(iface) || r.jumpsTo(macChain))) {
        ObjectNode del = cmds.addObject().putObject("delete").putObject("rule");
        del.put("family", FAMILY).put("table", TABLE).put("chain", r.chain()).put("handle", r.handle());
      }
    }
    // The interface chain jumps to the MAC chain, so it goes first.
    for (String c : List.of(iface, macChain)) {
      if (table.chains().contains(c)) {
        cmds.addObject().putObject("delete").set("chain", chain(c));
      }
    }
    return cmds.isEmpty() ? null : wrap(cmds);
  }

  private NftRuleRef.Listing list() throws CniException {
    try {
      return NftRuleRef.Listing.parse(exec.run(List.of("nft", "-j", "list", "table", FAMILY, TABLE), null));
    } catch (FirewallCommandException e) {
      if (e.isNotFound()) {
        return NftRuleRef.Listing.EMPTY;
      }
      throw e;
    }
  }

  private static ObjectNode chain(String name) {
    return JSON.createObjectNode().put("family", FAMILY).put("table", TABLE).put("name", name);
  }

  private static ObjectNode jump(String target) {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("jump").put("target", target);
    return n;
  }

  private static ObjectNode rule(String chain, String comment, ObjectNode... stmts) {
    ObjectNode r = JSON.createObjectNode().put("family", FAMILY).put("table", TABLE).put("chain", chain);
    ArrayNode expr = r.putArray("expr");
    for (ObjectNode s : stmts) {
      expr.add(s);
    }
    r.put("comment", comment);
    return r;
  }

  private static String wrap(ArrayNode cmds) {
    ObjectNode root = JSON.createObjectNode();
    root.set("nftables", cmds);
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
