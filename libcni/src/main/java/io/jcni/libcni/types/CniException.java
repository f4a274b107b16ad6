package io.jcni.libcni.types;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * A CNI error: a numeric code from the CNI specification, a message and optional details.
 *
 * <p>This is what a plugin prints on stdout when it fails ({@code {"code":N,"msg":"…","details":"…"}}) and what
 * every jcni operation throws for input a user can get wrong. {@link #getMessage()} follows Go's {@code
 * types.Error.Error()}: the message, then {@code "; details"} when details are set.
 *
 * <p>Where libcni knows them, it also says what the error concerns: the {@link #network()}, the {@link
 * #pluginType()}, the {@link #cniCommand()} and the {@link #ifName()}; the innermost layer that knows a fact fills it
 * in, and wrapping ({@link #withPrefix}) keeps them.
 */
public class CniException extends Exception {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int code;
  private final String msg;
  private final String details;
  private final Stop stop;
  // Filled in once, by the layer that knows each fact, while the exception travels up; never cleared.
  private volatile String network;
  private volatile String pluginType;
  private volatile String command;
  private volatile String ifName;
  private volatile boolean logged;

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

  /** An error with a specification code and a message. */
  public CniException(ErrorCode code, String msg) {
    this(code.number(), msg, "", null);
  }

  /** An error with a specification code, a message and details. */
  public CniException(ErrorCode code, String msg, String details) {
    this(code.number(), msg, details, null);
  }

  /** An error with a specification code, a message, details and the exception that caused it. */
  public CniException(ErrorCode code, String msg, String details, Throwable cause) {
    this(code.number(), msg, details, cause);
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
    return new CniException(ErrorCode.TRY_AGAIN_LATER.number(), msg, "", null, Stop.TIMED_OUT);
  }

  /** An operation stopped by an interrupt: code 11 (try again later), {@link #isCancelled()} true. */
  public static CniException cancellation(String msg) {
    return new CniException(ErrorCode.TRY_AGAIN_LATER.number(), msg, "", null, Stop.CANCELLED);
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

  /** The CNI error code as a number, exactly as the plugin printed it (also codes jcni does not know). */
  public int code() {
    return code;
  }

  /** The CNI error code by name; {@link ErrorCode#UNRECOGNIZED} for a number jcni does not know (see {@link #code()}). */
  public ErrorCode errorCode() {
    return ErrorCode.of(code);
  }

  /** The network (configuration list) the error concerns, when known. */
  public Optional<String> network() {
    return Optional.ofNullable(network);
  }

  /** The {@code type} of the plugin that failed, when a plugin did. */
  public Optional<String> pluginType() {
    return Optional.ofNullable(pluginType);
  }

  /** The CNI command ({@code ADD}, {@code CHECK}, {@code DEL}, {@code GC}, {@code STATUS}, {@code VERSION}), when known. */
  public Optional<String> cniCommand() {
    return Optional.ofNullable(command);
  }

  /** The interface name ({@code CNI_IFNAME}) the operation was for, when it had one. */
  public Optional<String> ifName() {
    return Optional.ofNullable(ifName);
  }

  /**
   * Records what this error concerns, keeping facts already recorded (the innermost layer knows best); null or
   * empty values are ignored. Returns this exception.
   */
  public CniException concerning(String network, String pluginType, String command, String ifName) {
    synchronized (this) {
      this.network = keep(this.network, network);
      this.pluginType = keep(this.pluginType, pluginType);
      this.command = keep(this.command, command);
      this.ifName = keep(this.ifName, ifName);
    }
    return this;
  }

  private static String keep(String old, String candidate) {
    return old != null || candidate == null || candidate.isEmpty() ? old : candidate;
  }

  /**
   * Marks this error as logged and says whether it was not yet: a layer logs a failure only when this returns
   * true, so each failure is logged once however many layers it passes through.
   */
  public boolean markLogged() {
    synchronized (this) {
      boolean first = !logged;
      logged = true;
      return first;
    }
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
    CniException e = new CniException(code, prefix + msg, details, this, stop);
    e.concerning(network, pluginType, command, ifName);
    e.logged = logged;
    return e;
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
