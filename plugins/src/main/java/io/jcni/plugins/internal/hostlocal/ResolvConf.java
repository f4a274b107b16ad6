package io.jcni.plugins.internal.hostlocal;

import io.jcni.libcni.internal.types.ErrorText;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.Dns;
import io.jcni.libcni.types.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads DNS settings from a resolv.conf-format file, with host-local's rules. */
final class ResolvConf {
  private ResolvConf() {}

  /**
   * Parses {@code file}: {@code nameserver} takes its first value, the last {@code domain} wins, {@code search}
   * and {@code options} collect every value; comments ({@code #}, {@code ;}) and lines with one field are skipped.
   */
  static Dns parse(Path file) throws CniException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CniException(ErrorCode.IO_FAILURE, "open " + file + ": no such file or directory");
    } catch (IOException e) {
      throw new CniException(ErrorCode.IO_FAILURE, "cannot read resolvConf " + file + ": " + ErrorText.of(e));
    }
    return parse(lines);
  }

  static Dns parse(List<String> lines) {
    List<String> nameservers = new ArrayList<>();
    String domain = "";
    List<String> search = new ArrayList<>();
    List<String> options = new ArrayList<>();
    for (String raw : lines) {
      String line = Store.goTrimSpace(raw);
      if (line.isEmpty() || line.charAt(0) == '#' || line.charAt(0) == ';') {
        continue;
      }
      String[] f = line.split("[\\t\\n\\u000b\\f\\r \\u0085\\u00a0]+");
      if (f.length < 2) {
        continue;
      }
      List<String> values = Arrays.asList(f).subList(1, f.length);
      switch (f[0]) {
        case "nameserver" -> nameservers.add(f[1]);
        case "domain" -> domain = f[1];
        case "search" -> search.addAll(values);
        case "options" -> options.addAll(values);
        default -> {
          // Other keywords (sortlist, …) mean nothing to CNI.
        }
      }
    }
    return new Dns(nameservers, domain, search, options);
  }
}
