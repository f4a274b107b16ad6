package io.jcni.plugins.internal.bridge;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.util.List;
import java.util.TreeSet;

/**
 * One entry of the bridge's {@code vlanTrunk} list: a single tagged VLAN {@code {"id":N}}, a range
 * {@code {"minID":A,"maxID":B}}, or both in one entry. Absent fields are null.
 */
public record VlanTrunk(Integer minId, Integer maxId, Integer id) {

  /**
   * Collects the tagged VLAN ids of a trunk list, ascending and without duplicates, with the upstream error texts;
   * an empty result means "no tagged VLANs" (the port still gets vlan_filtering when the list itself was given).
   */
  public static List<Integer> collect(List<VlanTrunk> trunk) throws CniException {
    TreeSet<Integer> vids = new TreeSet<>();
    for (VlanTrunk t : trunk) {
      if (t.minId != null && t.maxId != null) {
        if (t.minId <= 0 || t.minId > 4094) {
          throw invalid("incorrect trunk minID parameter");
        }
        if (t.maxId <= 0 || t.maxId > 4094) {
          throw invalid("incorrect trunk maxID parameter");
        }
        if (t.maxId < t.minId) {
          throw invalid("minID is greater than maxID in trunk parameter");
        }
        for (int v = t.minId; v <= t.maxId; v++) {
          vids.add(v);
        }
      } else if (t.maxId != null) {
        throw invalid("minID and maxID should be configured simultaneously, minID is missing");
      } else if (t.minId != null) {
        throw invalid("minID and maxID should be configured simultaneously, maxID is missing");
      }
      if (t.id != null) {
        if (t.id <= 0 || t.id > 4094) {
          throw invalid("incorrect trunk id parameter");
        }
        vids.add(t.id);
      }
    }
    return List.copyOf(vids);
  }

  private static CniException invalid(String msg) {
    return new CniException(ErrorCode.INVALID_NETWORK_CONFIG, msg);
  }
}
