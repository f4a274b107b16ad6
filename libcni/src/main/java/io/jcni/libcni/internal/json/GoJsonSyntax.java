package io.jcni.libcni.internal.json;

/**
 * A JSON syntax check that reports the first error in the words of Go's {@code encoding/json} scanner, which
 * runs before Go decodes anything; upstream error messages embed these texts.
 */
final class GoJsonSyntax {
  private final byte[] in;
  private int pos;

  private GoJsonSyntax(byte[] in) {
    this.in = in;
  }

  /** Returns Go's error text for the first syntax error in {@code in}, or {@code null} if it is valid JSON. */
  static String check(byte[] in) {
    GoJsonSyntax s = new GoJsonSyntax(in);
    try {
      s.ws();
      s.value();
      s.ws();
      if (s.pos < in.length) {
        throw s.error("after top-level value");
      }
      return null;
    } catch (SyntaxError e) {
      return e.getMessage();
    }
  }

  private static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;

    SyntaxError(String msg) {
      super(msg, null, false, false);
    }
  }

  private SyntaxError error(String context) {
    if (pos >= in.length) {
      return new SyntaxError("unexpected end of JSON input");
    }
    return new SyntaxError("invalid character " + quoteChar(in[pos] & 0xff) + " " + context);
  }

  private static String quoteChar(int c) {
    if (c == '\'') {
      return "'\\''";
    }
    if (c == '"') {
      return "'\"'";
    }
    String q = GoJson.quote(new String(Character.toChars(c)));
    return "'" + q.substring(1, q.length() - 1) + "'";
  }

  private int peek() throws SyntaxError {
    if (pos >= in.length) {
      throw new SyntaxError("unexpected end of JSON input");
    }
    return in[pos] & 0xff;
  }

  private void ws() {
    while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
      pos++;
    }
  }

  private void value() throws SyntaxError {
    int c = peek();
    switch (c) {
      case '{' -> object();
      case '[' -> array();
      case '"' -> string();
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
        } else {
          throw error("looking for beginning of value");
        }
      }
    }
  }

  private void object() throws SyntaxError {
    pos++;
    ws();
    if (peek() == '}') {
      pos++;
      return;
    }
    while (true) {
      if (peek() != '"') {
        throw error("looking for beginning of object key string");
      }
      string();
      ws();
      if (peek() != ':') {
        throw error("after object key");
      }
      pos++;
      ws();
      value();
      if (!more('}', "after object key:value pair")) {
        return;
      }
    }
  }

  private void array() throws SyntaxError {
    pos++;
    ws();
    if (peek() == ']') {
      pos++;
      return;
    }
    while (true) {
      value();
      if (!more(']', "after array element")) {
        return;
      }
    }
  }

  /** After a member or element: true past a comma (another follows), false past {@code close} (the end). */
  private boolean more(char close, String context) throws SyntaxError {
    ws();
    int c = peek();
    if (c == ',') {
      pos++;
      ws();
      return true;
    }
    if (c == close) {
      pos++;
      return false;
    }
    throw error(context);
  }

  private void string() throws SyntaxError {
    pos++;
    while (true) {
      int c = peek();
      if (c == '"') {
        pos++;
        return;
      }
      if (c < 0x20) {
        throw error("in string literal");
      }
      if (c == '\\') {
        pos++;
        int e = peek();
        if ("\"\\/bfnrt".indexOf(e) >= 0) {
          pos++;
        } else if (e == 'u') {
          pos++;
          for (int i = 0; i < 4; i++) {
            int h = peek();
            if (Character.digit(h, 16) < 0) {
              throw error("in \\u hexadecimal character escape");
            }
            pos++;
          }
        } else {
          throw error("in string escape code");
        }
      } else {
        pos++;
      }
    }
  }

  private void number() throws SyntaxError {
    if (in[pos] == '-') {
      pos++;
      if (!digitAt()) {
        throw error("in numeric literal");
      }
    }
    if (in[pos] == '0') {
      pos++;
    } else {
      while (digitAt()) {
        pos++;
      }
    }
    if (pos < in.length && in[pos] == '.') {
      pos++;
      if (!digitAt()) {
        throw error("after decimal point in numeric literal");
      }
      while (digitAt()) {
        pos++;
      }
    }
    if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
      pos++;
      if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
        pos++;
      }
      if (!digitAt()) {
        throw error("in exponent of numeric literal");
      }
      while (digitAt()) {
        pos++;
      }
    }
  }

  private boolean digitAt() throws SyntaxError {
    if (pos >= in.length) {
      // A number may end the input only where Go's scanner would also accept it.
      return false;
    }
    return in[pos] >= '0' && in[pos] <= '9';
  }

  private void literal(String word) throws SyntaxError {
    pos++;
    for (int i = 1; i < word.length(); i++) {
      if (peek() != word.charAt(i)) {
        throw error("in literal " + word + " (expecting " + quoteChar(word.charAt(i)) + ")");
      }
      pos++;
    }
  }
}
