package io.jcni.plugins.internal.firewall;

import io.jcni.libcni.internal.json.GoJson;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;

/** The firewall plugin's {@code ingressPolicy}: who may open connections to the container. */
enum IngressPolicy {
  /** All inbound connections are accepted (the default, also for an empty value). */
  OPEN("open"),
  /** Connections from the same bridge are accepted, those from other isolated bridges dropped. */
  SAME_BRIDGE("same-bridge"),
  /** As {@link #SAME_BRIDGE}, and connections within the bridge are dropped too (upstream v1.7.0+). */
  ISOLATED("isolated");

  final String text;

  IngressPolicy(String text) {
    this.text = text;
  }

  /** The policy named {@code text}; null for one upstream does not know (its error comes later, as in Go). */
  static IngressPolicy parse(String text) {
    if (text.isEmpty()) {
      return OPEN;
    }
    for (IngressPolicy p : values()) {
      if (p.text.equals(text)) {
        return p;
      }
    }
    return null;
  }

  /** Go's error for a policy it does not know. */
  static CniException unknown(String text) {
    return new CniException(ErrorCode.INTERNAL, "unknown ingress policy: " + GoJson.quote(text));
  }
}
