package io.jcni.libcni.runtime;

import io.jcni.libcni.types.CniException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a per-network garbage collection ({@link CniRuntime#gc(Map)}) did: which networks were collected, which
 * failed and with what error, and which were left alone because the caller gave no valid-attachment list for them.
 *
 * @param outcomes every network collected or tried, by name, in order: empty when it went fine, else its error
 * @param skipped networks that are loaded or cached but had no list in the request, so nothing of theirs was touched
 */
public record GcReport(Map<String, Optional<CniException>> outcomes, List<String> skipped) {
  public GcReport {
    outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
    skipped = List.copyOf(skipped);
  }

  /** Whether every network that was tried was collected without error. */
  public boolean ok() {
    return outcomes.values().stream().allMatch(Optional::isEmpty);
  }

  /** The networks collected without error, in order. */
  public List<String> collected() {
    List<String> out = new ArrayList<>();
    outcomes.forEach((n, e) -> {
      if (e.isEmpty()) {
        out.add(n);
      }
    });
    return out;
  }

  /** The networks whose collection failed, with their errors, in order. */
  public Map<String, CniException> failures() {
    Map<String, CniException> out = new LinkedHashMap<>();
    outcomes.forEach((n, e) -> e.ifPresent(x -> out.put(n, x)));
    return Collections.unmodifiableMap(out);
  }
}
