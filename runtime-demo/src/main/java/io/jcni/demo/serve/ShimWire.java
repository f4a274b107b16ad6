package io.jcni.demo.serve;

import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shim's wire format (docs/design.md): a magic, then fields that are each a 4-byte big-endian length and that
 * many bytes. A request is {@code JCN1 type CNI_COMMAND CNI_CONTAINERID CNI_NETNS CNI_IFNAME CNI_ARGS CNI_PATH
 * stdin}; an answer is {@code JCN1 status stdout stderr} with the status as 4 bytes.
 */
public final class ShimWire {
  static final byte[] MAGIC = "JCN1".getBytes(StandardCharsets.US_ASCII);
  /** The longest type or variable accepted. */
  static final int MAX_FIELD = 1 << 20;
  /** The longest stdin accepted (a config with a large prevResult stays far below). */
  static final int MAX_STDIN = 64 << 20;

  private ShimWire() {}

  /**
   * Reads one request.
   *
   * @throws EOFException the peer closed the connection before the request was complete
   * @throws CniException the bytes are not a request (code 6, naming what is wrong)
   */
  public static ShimRequest readRequest(InputStream in) throws IOException, CniException {
    DataInputStream d = new DataInputStream(in);
    byte[] magic = new byte[MAGIC.length];
    d.readFully(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw malformed("it does not start with " + new String(MAGIC, StandardCharsets.US_ASCII));
    }
    String type = text(d, "plugin type");
    Map<String, String> env = new LinkedHashMap<>();
    for (String v : ShimRequest.VARIABLES) {
      env.put(v, text(d, v));
    }
    return new ShimRequest(type, env, field(d, MAX_STDIN, "stdin"));
  }

  /** Encodes {@code r} as a shim does. */
  public static byte[] encode(ShimRequest r) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    putField(out, r.type().getBytes(StandardCharsets.UTF_8));
    for (String v : ShimRequest.VARIABLES) {
      putField(out, r.env().getOrDefault(v, "").getBytes(StandardCharsets.UTF_8));
    }
    putField(out, r.stdin());
    return out.toByteArray();
  }

  /** Encodes {@code a}. */
  public static ByteBuffer encode(ShimAnswer a) {
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 12 + a.stdout().length + a.stderr().length);
    b.put(MAGIC).putInt(a.status());
    b.putInt(a.stdout().length).put(a.stdout());
    b.putInt(a.stderr().length).put(a.stderr());
    return b.flip();
  }

  /** Reads one answer. */
  public static ShimAnswer readAnswer(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] magic = new byte[MAGIC.length];
    d.readFully(magic);
    int status = d.readInt();
    byte[] out = d.readNBytes(d.readInt());
    byte[] err = d.readNBytes(d.readInt());
    return new ShimAnswer(status, out, err);
  }

  private static void putField(java.io.ByteArrayOutputStream out, byte[] b) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
    out.writeBytes(b);
  }

  private static String text(DataInputStream d, String what) throws IOException, CniException {
    return new String(field(d, MAX_FIELD, what), StandardCharsets.UTF_8);
  }

  private static byte[] field(DataInputStream d, int max, String what) throws IOException, CniException {
    long n = Integer.toUnsignedLong(d.readInt());
    if (n > max) {
      throw malformed(what + " is " + n + " bytes long, more than " + max);
    }
    byte[] b = d.readNBytes((int) n);
    if (b.length != n) {
      throw new EOFException(what + " ends early");
    }
    return b;
  }

  private static CniException malformed(String why) {
    return new CniException(ErrorCode.DECODING_FAILURE, "malformed request to the jcni daemon: " + why);
  }
}
