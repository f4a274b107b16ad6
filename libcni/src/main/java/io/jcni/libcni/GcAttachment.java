package io.jcni.libcni;

/**
 * One attachment the runtime still wants, as listed in a GC's {@code cni.dev/valid-attachments}.
 *
 * @param containerId the container ID
 * @param ifName the interface name
 */
public record GcAttachment(String containerId, String ifName) {}
