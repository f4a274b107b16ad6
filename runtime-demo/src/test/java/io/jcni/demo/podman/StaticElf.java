package io.jcni.demo.podman;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** A check that an ELF64 little-endian executable is statically linked: it has no PT_INTERP program header. */
final class StaticElf {
  private static final int PT_INTERP = 3;

  private StaticElf() {}

  /** Whether {@code file} is an ELF64 little-endian executable without an interpreter. */
  static boolean isStatic(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.limit() < 64 || b.getInt(0) != 0x464c457f || b.get(4) != 2 || b.get(5) != 1) {
      return false;
    }
    long phoff = b.getLong(0x20);
    int phentsize = Short.toUnsignedInt(b.getShort(0x36));
    int phnum = Short.toUnsignedInt(b.getShort(0x38));
    for (int i = 0; i < phnum; i++) {
      if (b.getInt((int) (phoff + (long) i * phentsize)) == PT_INTERP) {
        return false;
      }
    }
    return true;
  }
}
