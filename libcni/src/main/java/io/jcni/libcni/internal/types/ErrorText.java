package io.jcni.libcni.internal.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.jcni.libcni.types.CniException;
import java.io.InterruptedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user-facing text of an exception that jcni did not word itself (file-system and JSON library failures), in
 * CNI's terms: the file and Go's errno text ({@code /x/lock: permission denied}), never a Java class name, a
 * Jackson type name or a source location.
 */
public final class ErrorText {
  // Jackson names the Java type it wanted; a CNI user knows the JSON kind.
  private static final Map<String, String> JAVA_TYPES = Map.ofEntries(
      Map.entry("java.lang.String", "string"), Map.entry("java.lang.Integer", "number"),
      Map.entry("java.lang.Long", "number"), Map.entry("int", "number"), Map.entry("long", "number"),
      Map.entry("java.lang.Boolean", "bool"), Map.entry("boolean", "bool"), Map.entry("java.util.List", "array"),
      Map.entry("java.util.ArrayList", "array"), Map.entry("java.util.Map", "object"),
      Map.entry("java.util.LinkedHashMap", "object"));
  private static final Pattern BACKTICKED = Pattern.compile("`([^`]*)`");
  private static final String NOFOLLOW = " (NOFOLLOW_LINKS specified)";

  private ErrorText() {}

  /** The text of {@code e}: its own message where jcni or the kernel worded it, otherwise a CNI-worded one. */
  public static String of(Throwable e) {
    if (e instanceof CniException) {
      return e.getMessage();
    }
    if (e instanceof FileSystemException f) {
      String where = f.getOtherFile() == null ? f.getFile() : f.getFile() + " -> " + f.getOtherFile();
      return where == null ? reason(f) : where + ": " + reason(f);
    }
    if (e instanceof JsonProcessingException j) {
      return json(j);
    }
    String m = e.getMessage();
    Throwable cause = e.getCause();
    // new X(cause) copies cause.toString(), class name included, as its message.
    if (cause != null && cause != e && (m == null || m.equals(cause.toString()))) {
      return of(cause);
    }
    if (m != null && m.endsWith(NOFOLLOW)) {
      // The JDK's plain IOException for O_NOFOLLOW meeting a symlink (ELOOP), without the file.
      return lowerFirst(m.substring(0, m.length() - NOFOLLOW.length()));
    }
    if (m != null && !m.isBlank()) {
      return m;
    }
    return e instanceof InterruptedIOException || e instanceof InterruptedException ? "interrupted"
        : "internal error";
  }

  /**
   * What went wrong with a file, without the file: Go's errno text ({@code no such file or directory}).
   */
  public static String reason(FileSystemException f) {
    if (f instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (f instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (f instanceof FileAlreadyExistsException) {
      return "file exists";
    }
    if (f instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    if (f instanceof NotDirectoryException) {
      return "not a directory";
    }
    String r = f.getReason();
    if (r == null || r.isEmpty()) {
      return "input/output error";
    }
    // The JDK adds this to ELOOP, which with NOFOLLOW_LINKS means the file itself is a symlink.
    r = r.replace(" or unable to access attributes of symbolic link", "").replace(NOFOLLOW, "");
    return lowerFirst(r);
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
  }

  private static String json(JsonProcessingException j) {
    String m = String.valueOf(j.getOriginalMessage());
    int chain = m.indexOf(" (through reference chain");
    if (chain >= 0) {
      m = m.substring(0, chain);
    }
    Matcher t = BACKTICKED.matcher(m);
    StringBuilder sb = new StringBuilder();
    while (t.find()) {
      String kind = JAVA_TYPES.getOrDefault(t.group(1), "value");
      t.appendReplacement(sb, Matcher.quoteReplacement(kind));
    }
    t.appendTail(sb);
    m = sb.toString().replaceAll("\\s*\\n.*", "");
    StringBuilder field = new StringBuilder();
    if (j instanceof JsonMappingException jm) {
      for (JsonMappingException.Reference r : jm.getPath()) {
        if (r.getFieldName() != null) {
          field.append(field.length() == 0 ? "" : ".").append(r.getFieldName());
        } else if (r.getIndex() >= 0) {
          field.append('[').append(r.getIndex()).append(']');
        }
      }
    }
    String lower = m.isEmpty() ? "invalid value" : lowerFirst(m);
    return "invalid JSON" + (field.length() == 0 ? "" : " in field " + field) + ": " + lower;
  }
}
