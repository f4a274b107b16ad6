package io.jcni.plugins.internal.netfilter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule as {@code nft -j list} reports it, reduced to what deleting it needs: where it is, its handle, its comment
 * and its statements.
 */
public record NftRuleRef(String family, String table, String chain, long handle, String comment, JsonNode expr) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The {@code delete rule … handle N} command in nft's text syntax. */
  public String deleteCommand() {
    return "delete rule " + family + " " + table + " " + chain + " handle " + handle;
  }

  /** Whether one of the rule's statements is {@code jump target} or {@code goto target}. */
  boolean jumpsTo(String target) {
    if (expr == null) {
      return false;
    }
    for (JsonNode stmt : expr) {
      for (String verdict : List.of("jump", "goto")) {
        if (target.equals(stmt.path(verdict).path("target").asText(null))) {
          return true;
        }
      }
    }
    return false;
  }

  /** The chain names and rules of one {@code nft -j list …} answer. */
  public record Listing(List<String> chains, List<NftRuleRef> rules) {
    static final Listing EMPTY = new Listing(List.of(), List.of());

    public static Listing parse(String json) throws CniException {
      JsonNode root;
      try {
        root = JSON.readTree(json);
      } catch (IOException e) {
        throw new CniException(ErrorCode.DECODING_FAILURE, "failed to parse nft JSON output: " + e.getMessage());
      }
      List<String> chains = new ArrayList<>();
      List<NftRuleRef> rules = new ArrayList<>();
      for (JsonNode item : root.path("nftables")) {
        if (item.has("chain")) {
          chains.add(item.get("chain").path("name").asText());
        }
        JsonNode r = item.get("rule");
        if (r != null) {
          rules.add(new NftRuleRef(r.path("family").asText(), r.path("table").asText(), r.path("chain").asText(),
              r.path("handle").asLong(), r.hasNonNull("comment") ? r.get("comment").asText() : null, r.get("expr")));
        }
      }
      return new Listing(List.copyOf(chains), List.copyOf(rules));
    }
  }
}
