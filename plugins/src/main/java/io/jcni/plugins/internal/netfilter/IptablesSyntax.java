package io.jcni.plugins.internal.netfilter;

import java.util.ArrayList;
import java.util.List;

/**
 * The syntax shared by iptables-save output and iptables-restore input: words split at blanks, double quotes
 * group a word, and inside quotes a backslash takes the next character literally; a table's block starts with
 * {@code *table} and ends with {@code COMMIT}.
 */
public final class IptablesSyntax {
  private IptablesSyntax() {}

  /** Splits one line into words the way iptables-restore does. */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    boolean quoted = false;
    boolean escaped = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (escaped) {
          word.append(c);
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          quoted = false;
        } else {
          word.append(c);
        }
      } else if (c == '"') {
        quoted = true;
        inWord = true;
      } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }

  /** The iptables-restore input that applies {@code lines} to {@code table} as one transaction. */
  public static String restoreScript(String table, List<String> lines) {
    StringBuilder script = new StringBuilder("*").append(table).append('\n');
    lines.forEach(l -> script.append(l).append('\n'));
    return script.append("COMMIT\n").toString();
  }

  /** Joins words into one restore line, quoting those that need it. */
  static String join(List<String> words) {
    StringBuilder b = new StringBuilder();
    for (String w : words) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(quote(w));
    }
    return b.toString();
  }

  private static String quote(String w) {
    if (!w.isEmpty() && w.chars().allMatch(IptablesSyntax::isPlain)) {
      return w;
    }
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < w.length(); i++) {
      char c = w.charAt(i);
      if (c == '"' || c == '\\' || c == '\'') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }

  private static boolean isPlain(int c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_-./:!,=+@[]".indexOf(c) >= 0;
  }
}
