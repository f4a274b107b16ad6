package io.jcni.plugins.internal.tuning;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.internal.json.JsonFields;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Upstream's first look at a tuning configuration (before it is parsed): a {@code sysctl} key given twice is
 * refused, which a parsed object can no longer show because the later value has replaced the earlier one.
 */
final class SysctlDuplicates {
  private static final String MAP_TYPE = "map[main.sysctlKey]string";

  private SysctlDuplicates() {}

  /** Fails with {@code duplicated sysctl keys are not allowed}, or with Go's syntax or type error of the document. */
  static void check(byte[] stdin) throws CniException {
    try {
      GoJson.parse(stdin);
    } catch (GoJson.GoJsonException e) {
      throw JsonFields.decoding(e.getMessage());
    }
    Set<String> seen = new HashSet<>();
    CniException typeError = null;
    try (JsonParser p = GoJson.mapper().getFactory().createParser(stdin)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean isSysctl = p.currentName().equalsIgnoreCase("sysctl");
        JsonToken t = p.nextToken();
        if (!isSysctl || t == JsonToken.VALUE_NULL) {
          p.skipChildren();
          continue;
        }
        if (t != JsonToken.START_OBJECT) {
          typeError = first(typeError, mismatch(p.readValueAsTree(), MAP_TYPE));
          continue;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          if (!seen.add(p.currentName())) {
            // Go stops at the first duplicate, even after a type error it saved.
            throw new CniException(ErrorCode.INTERNAL, "duplicated sysctl keys are not allowed");
          }
          JsonToken v = p.nextToken();
          if (v != JsonToken.VALUE_STRING && v != JsonToken.VALUE_NULL) {
            typeError = first(typeError, mismatch(p.readValueAsTree(), "string"));
          }
        }
      }
    } catch (IOException e) {
      throw JsonFields.decoding(String.valueOf(e.getMessage()));
    }
    if (typeError != null) {
      throw typeError;
    }
  }

  private static CniException mismatch(com.fasterxml.jackson.databind.JsonNode v, String goType) {
    return JsonFields.decoding("json: cannot unmarshal " + JsonFields.kind(v)
        + " into Go struct field sysctlCheck.sysctl of type " + goType);
  }

  private static CniException first(CniException saved, CniException e) {
    return saved != null ? saved : e;
  }
}
