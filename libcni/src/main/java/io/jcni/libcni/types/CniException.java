package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A CNI error: a numeric code from the CNI specification, a message and optional details.
 *
 * <p>This is what a plugin prints on stdout when it fails ({@code {"code":N,"msg":"…","details":"…"}}) and what
 * every jcni operation throws for input a user can get wrong. {@link #getMessage()} follows Go's {@code
 * types.Error.Error()}: the message, then {@code "; details"} when details are set.
 */
public class CniException extends Exception {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int code;
  private final String msg;
  private final String details;
  private final Stop stop;

  /** Why an operation was stopped from outside rather than failing by itself. */
  public enum Stop {
    /** Its deadline passed. */
    TIMED_OUT,
    /** The calling thread was interrupted. */
    CANCELLED
  }

  public CniException(int code, String msg) {
    this(code, msg, "", null);
  }

  public CniException(int code, String msg, String details) {
    this(code, msg, details, null);
  }

  public CniException(int code, String msg, String details, Throwable cause) {
    this(code, msg, details, cause, null);
  }

  /** An exception that may have been stopped from outside ({@code stop} non-null), for subclasses. */
  protected CniException(int code, String msg, String details, Throwable cause, Stop stop) {
    super(render(msg, details), cause);
    this.code = code;
    this.msg = msg == null ? "" : msg;
    this.details = details == null ? "" : details;
    this.stop = stop;
  }

  /** An operation stopped by its deadline: code 11 (try again later), {@link #isTimeout()} true. */
  public static CniException timeout(String msg) {
    return new CniException(ErrorCode.TRY_AGAIN_LATER, msg, "", null, Stop.TIMED_OUT);
  }

  /** An operation stopped by an interrupt: code 11 (try again later), {@link #isCancelled()} true. */
  public static CniException cancellation(String msg) {
    return new CniException(ErrorCode.TRY_AGAIN_LATER, msg, "", null, Stop.CANCELLED);
  }

  /** Whether the operation was stopped because its deadline passed (also after {@link #withPrefix}). */
  public boolean isTimeout() {
    return stop == Stop.TIMED_OUT;
  }

  /** Whether the operation was stopped because the calling thread was interrupted (also after {@link #withPrefix}). */
  public boolean isCancelled() {
    return stop == Stop.CANCELLED;
  }

  private static String render(String msg, String details) {
    String m = msg == null ? "" : msg;
    return details == null || details.isEmpty() ? m : m + "; " + details;
  }

  /** The CNI error code (see {@link ErrorCode}). */
  public int code() {
    return code;
  }

  /** The short message, without details. */
  public String msg() {
    return msg;
  }

  /** The details, or the empty string. */
  public String details() {
    return details;
  }

  /**
   * Returns a new exception with this one's code and details and {@code prefix + msg} as message; used where Go
   * wraps an error with {@code fmt.Errorf("prefix: %w", err)} but callers still need the code.
   */
  public CniException withPrefix(String prefix) {
    return new CniException(code, prefix + msg, details, this, stop);
  }

  /** The error as a plugin prints it: {@code {"code":N,"msg":"…","details":"…"}}, details omitted when empty. */
  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("code", code);
    n.put("msg", msg);
    if (!details.isEmpty()) {
      n.put("details", details);
    }
    return n;
  }
}
