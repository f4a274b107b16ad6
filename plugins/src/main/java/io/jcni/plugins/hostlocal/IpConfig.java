package io.jcni.plugins.hostlocal;

import java.net.InetAddress;

/** PLACEHOLDER until io.jcni.libcni.types.IpConfig is merged. */
record IpConfig(Integer interfaceIndex, IpNet address, InetAddress gateway) {}
