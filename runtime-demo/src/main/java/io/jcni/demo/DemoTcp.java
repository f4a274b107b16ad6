package io.jcni.demo;

import io.jcni.plugins.internal.linux.NetNs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's proof that two sandboxes can talk: a TCP line exchange between a server in one namespace and a
 * client in the other, both driven from ordinary Java threads.
 *
 * <p>Each socket is created inside its namespace ({@link NetNs#runIn}, a fresh thread that enters and leaves) and
 * keeps that namespace for its whole life, so accepting, connecting, reading and writing happen from threads that
 * never entered any namespace.
 */
public final class DemoTcp {
  private static final int TIMEOUT_MS = 10_000;

  private DemoTcp() {}

  /** What each side saw: the line the server received and the reply the client got. */
  public record Exchange(int port, String received, String reply) {}

  /**
   * Listens in {@code serverNs} on {@code serverIp}, connects from {@code clientNs}, sends {@code line} and
   * returns what came back.
   */
  public static Exchange exchange(NetNs serverNs, InetAddress serverIp, NetNs clientNs, String line,
      String replyPrefix) throws IOException {
    try (ServerSocketChannel server = serverNs.runIn(() -> {
      ServerSocketChannel s = ServerSocketChannel.open();
      s.bind(new InetSocketAddress(serverIp, 0));
      return s;
    })) {
      int port = server.socket().getLocalPort();
      server.socket().setSoTimeout(TIMEOUT_MS);
      AtomicReference<String> received = new AtomicReference<>();
      AtomicReference<Throwable> serverError = new AtomicReference<>();
      Thread serverThread = new Thread(() -> {
        try (Socket s = server.socket().accept()) {
          s.setSoTimeout(TIMEOUT_MS);
          String got = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
          received.set(got);
          OutputStream o = s.getOutputStream();
          o.write((replyPrefix + got + "\n").getBytes(StandardCharsets.UTF_8));
          o.flush();
        } catch (IOException | RuntimeException e) {
          serverError.set(e);
        }
      }, "jcni-demo-server");
      serverThread.setDaemon(true);
      serverThread.start();

      String reply;
      try (SocketChannel client = clientNs.runIn(SocketChannel::open)) {
        Socket s = client.socket();
        s.connect(new InetSocketAddress(serverIp, port), TIMEOUT_MS);
        s.setSoTimeout(TIMEOUT_MS);
        s.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        reply = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
      }
      try {
        serverThread.join(TIMEOUT_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the server thread", e);
      }
      if (serverError.get() != null) {
        throw new IOException("server side: " + serverError.get().getMessage(), serverError.get());
      }
      return new Exchange(port, received.get(), reply);
    }
  }
}
