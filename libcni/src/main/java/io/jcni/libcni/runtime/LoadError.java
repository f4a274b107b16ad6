package io.jcni.libcni.runtime;

import io.jcni.libcni.types.CniException;
import java.nio.file.Path;

/**
 * A configuration file that could not be used: unreadable, unparsable, or naming a network an earlier file
 * already defines. The other files of the directory stay usable.
 *
 * @param file the offending file
 * @param error why; its message starts with the file path, as libcni's load errors do
 */
public record LoadError(Path file, CniException error) {
  @Override
  public String toString() {
    return error.getMessage();
  }
}
