package io.jcni.libcni.spi;

/** A CNI operation, as carried in {@code CNI_COMMAND}. */
public enum Command {
  ADD,
  CHECK,
  DEL,
  GC,
  STATUS,
  VERSION;

  /** The command named {@code name} exactly (as {@code CNI_COMMAND} spells it), or empty. */
  public static java.util.Optional<Command> parse(String name) {
    for (Command c : values()) {
      if (c.name().equals(name)) {
        return java.util.Optional.of(c);
      }
    }
    return java.util.Optional.empty();
  }
}
