package io.jcni.libcni.spi;

/** A CNI operation, as carried in {@code CNI_COMMAND}. */
public enum Command {
  ADD,
  CHECK,
  DEL,
  GC,
  STATUS,
  VERSION
}
