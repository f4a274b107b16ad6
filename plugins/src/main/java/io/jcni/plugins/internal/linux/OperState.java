package io.jcni.plugins.internal.linux;

/** A link's RFC 2863 operational state ({@code IFLA_OPERSTATE}), named as {@code ip link} prints it. */
public enum OperState {
  UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

  static OperState of(int v) {
    return v >= 0 && v < values().length ? values()[v] : UNKNOWN;
  }
}
