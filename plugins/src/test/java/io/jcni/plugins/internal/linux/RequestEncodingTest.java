package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.jna.Memory;
import io.jcni.libcni.testing.RequiresCapabilities;
import io.jcni.libcni.testing.RequiresExecutable;
import io.jcni.libcni.testing.TestNetns;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our request encodings compared with what iproute2 sends for the same command, captured with {@code strace}.
 * This covers requests this machine's kernel may refuse (VLAN filtering needs CONFIG_BRIDGE_VLAN_FILTERING), so
 * they are checked here even where {@link RtNetlinkTest} can only see the refusal. Our side talks to a fake
 * kernel that answers link lookups with the real ifindex and ACKs everything else.
 */
@RequiresCapabilities
@RequiresExecutable("/usr/bin/strace")
class RequestEncodingTest {
  private static final Pattern SENT = Pattern.compile(
      "nlmsg_type=(0x[0-9a-f]+)[^}]*\\}, \"((?:\\\\x[0-9a-f]{2})*)\"");
  private TestNetns t;
  private int kernelFd = -1;
  private RtNetlink rt;
  private final List<ByteBuffer> requests = new ArrayList<>();
  private volatile int linkIndex;
  private volatile String linkKind;

  @BeforeEach
  void setUp() throws IOException {
    t = TestNetns.create("enc");
    t.ip("link", "add", "br0", "type", "bridge");
    t.ip("link", "add", "v0", "type", "veth", "peer", "name", "v1");
    t.ip("link", "set", "v0", "master", "br0");
    int[] fds = new int[2];
    LibC.socketpair(Kernel.AF_UNIX, Kernel.SOCK_DGRAM | Kernel.SOCK_CLOEXEC, 0, fds);
    kernelFd = fds[1];
    rt = new RtNetlink(NetlinkSocket.wrap(fds[0], 77));
    Thread k = new Thread(this::serve, "fake-kernel");
    k.setDaemon(true);
    k.start();
  }

  @AfterEach
  void tearDown() throws IOException {
    if (rt != null) {
      rt.close();
    }
    if (kernelFd >= 0) {
      NetNs.closeQuietly(kernelFd);
    }
    if (t != null) {
      t.close();
    }
  }

  /** Answers RTM_GETLINK with {@link #linkIndex}/{@link #linkKind}, everything with an ACK. */
  private void serve() {
    try (Memory buf = new Memory(65536)) {
      while (true) {
        long n = LibC.recv(kernelFd, buf, buf.size(), 0);
        if (n <= 0) {
          return;
        }
        ByteBuffer req = ByteBuffer.wrap(buf.getByteArray(0, (int) n)).order(ByteOrder.nativeOrder());
        int type = req.getShort(4);
        int seq = req.getInt(8);
        synchronized (requests) {
          requests.add(req);
        }
        if (type == Kernel.RTM_GETLINK) {
          byte[] kind = linkKind.getBytes(StandardCharsets.UTF_8);
          int infoLen = 4 + 4 + kind.length;
          ByteBuffer m = ByteBuffer.allocate(16 + 16 + ((infoLen + 3) & ~3)).order(ByteOrder.nativeOrder());
          m.putInt(m.capacity()).putShort((short) Kernel.RTM_NEWLINK).putShort((short) 0).putInt(seq).putInt(77);
          m.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(linkIndex).putInt(0).putInt(0);
          m.putShort((short) infoLen).putShort((short) Kernel.IFLA_LINKINFO);
          m.putShort((short) (4 + kind.length)).putShort((short) Kernel.IFLA_INFO_KIND).put(kind);
          send(m.array());
        }
        ByteBuffer ack = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        ack.putInt(36).putShort((short) Kernel.NLMSG_ERROR).putShort((short) 0x100).putInt(seq).putInt(77);
        ack.putInt(0).put(req.array(), 0, 16);
        send(ack.array());
      }
    } catch (RuntimeException closed) {
      // the test closed the socket
    }
  }

  private void send(byte[] d) {
    try (Memory out = new Memory(d.length)) {
      out.write(0, d, 0, d.length);
      LibC.send(kernelFd, out, d.length, 0);
    }
  }

  /** The payload (after nlmsghdr) of the last request of {@code type} an iproute2 command sent. */
  private static byte[] iproute2(int type, String... cmd) throws IOException, InterruptedException {
    Path out = Files.createTempFile("jt-strace", ".txt");
    try {
      List<String> argv = new ArrayList<>(List.of("strace", "-f", "-e", "trace=sendmsg,sendto", "-xx", "-s", "65536",
          "-o", out.toString()));
      argv.addAll(List.of(cmd));
      Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor(30, TimeUnit.SECONDS); // the command itself may be refused by this kernel; only its request matters
      byte[] last = null;
      Matcher m = SENT.matcher(Files.readString(out));
      while (m.find()) {
        if (Integer.decode(m.group(1)) == type) {
          String hex = m.group(2).replace("\\x", "");
          last = new byte[hex.length() / 2];
          for (int i = 0; i < last.length; i++) {
            last[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
          }
        }
      }
      assertNotNull(last, "no request of type " + type + " from " + String.join(" ", cmd));
      return last;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private byte[] ours(int type) {
    synchronized (requests) {
      for (int i = requests.size() - 1; i >= 0; i--) {
        ByteBuffer r = requests.get(i);
        if (r.getShort(4) == type) {
          byte[] p = new byte[r.limit() - 16];
          r.get(16, p);
          return p;
        }
      }
    }
    throw new AssertionError("we sent no request of type " + type);
  }

  /**
   * A canonical text of a link/bridge request payload: the fixed header, then attributes sorted by type at each
   * level, nested ones expanded, namespace descriptors masked (their numbers differ between processes).
   */
  private static String canonical(byte[] payload) {
    ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    return hex(b, 0, 16) + " " + attrs(b, 16, payload.length, "");
  }

  private static String attrs(ByteBuffer b, int from, int to, String path) {
    List<String> out = new ArrayList<>();
    int pos = from;
    while (pos + 4 <= to) {
      int len = b.getShort(pos) & 0xffff;
      int type = b.getShort(pos + 2) & 0xffff;
      String p = path + "/" + (type & Kernel.NLA_TYPE_MASK);
      String value;
      if (p.equals("/18") || p.equals("/18/2") || p.equals("/26")) {
        value = "{" + attrs(b, pos + 4, pos + len, p) + "}";
      } else if (p.equals("/18/2/1")) { // VETH_INFO_PEER: ifinfomsg, then attributes
        value = "{" + hex(b, pos + 4, 16) + " " + attrs(b, pos + 20, pos + len, p) + "}";
      } else if (p.endsWith("/28")) {
        value = "fd";
      } else {
        value = hex(b, pos + 4, len - 4);
      }
      out.add(String.format("%5d:%s=%s", type, p, value));
      pos += (len + 3) & ~3;
    }
    out.sort(Comparator.naturalOrder());
    return String.join(" ", out);
  }

  private static String hex(ByteBuffer b, int off, int len) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < len; i++) {
      s.append(String.format("%02x", b.get(off + i)));
    }
    return s.toString();
  }

  private int index(String name) throws IOException {
    return Oracle.link(t.name(), name).path("ifindex").asInt();
  }

  @Test
  void bridgeVlanAddOnAPortIsWhatBridgeVlanAddMasterSends() throws Exception {
    linkIndex = index("v0");
    linkKind = "veth";
    rt.bridgeVlanAdd("v0", new BridgeVlan(10, true, true), false);
    byte[] ip = iproute2(Kernel.RTM_SETLINK, "bridge", "-n", t.name(), "vlan", "add", "vid", "10", "dev", "v0", "pvid",
        "untagged", "master");
    assertEquals(hex(ByteBuffer.wrap(ip), 0, ip.length), hex(ByteBuffer.wrap(ours(Kernel.RTM_SETLINK)), 0, ip.length));
    assertEquals(ip.length, ours(Kernel.RTM_SETLINK).length);
  }

  @Test
  void bridgeVlanAddOnTheBridgeIsWhatBridgeVlanAddSelfSends() throws Exception {
    linkIndex = index("br0");
    linkKind = "bridge";
    rt.bridgeVlanAdd("br0", new BridgeVlan(20, false, false), true);
    byte[] ip = iproute2(Kernel.RTM_SETLINK, "bridge", "-n", t.name(), "vlan", "add", "vid", "20", "dev", "br0", "self");
    assertEquals(canonical(ip), canonical(ours(Kernel.RTM_SETLINK)));
  }

  @Test
  void bridgeVlanDelIsWhatBridgeVlanDelMasterSends() throws Exception {
    linkIndex = index("v0");
    linkKind = "veth";
    rt.bridgeVlanDel("v0", 10);
    byte[] ip = iproute2(Kernel.RTM_DELLINK, "bridge", "-n", t.name(), "vlan", "del", "vid", "10", "dev", "v0",
        "master");
    assertEquals(canonical(ip), canonical(ours(Kernel.RTM_DELLINK)));
  }

  @Test
  void vlanFilteringBridgeIsWhatIpLinkAddSends() throws Exception {
    linkIndex = 99;
    linkKind = "bridge";
    rt.createBridge(BridgeSpec.named("br1").withMtu(1400).withVlanFiltering(true));
    byte[] ip = iproute2(Kernel.RTM_NEWLINK, "ip", "-n", t.name(), "link", "add", "br1", "mtu", "1400", "type",
        "bridge", "vlan_filtering", "1");
    assertEquals(canonical(ip), canonical(ours(Kernel.RTM_NEWLINK)));
  }

  @Test
  void vethWithPeerInANamespaceIsWhatIpLinkAddSends() throws Exception {
    linkIndex = 99;
    linkKind = "veth";
    try (NetNs peer = NetNs.open(Path.of(t.path()))) {
      rt.createVeth(VethSpec.of("eth0", "vx").withMtu(1400).withMac("02:00:00:00:00:01").withPeerIn(peer));
    }
    byte[] ip = iproute2(Kernel.RTM_NEWLINK, "ip", "-n", t.name(), "link", "add", "eth0", "mtu", "1400", "address",
        "02:00:00:00:00:01", "numtxqueues", "1", "type", "veth", "peer", "name", "vx", "mtu", "1400", "numtxqueues",
        "1", "netns", t.name());
    assertEquals(canonical(ip), canonical(ours(Kernel.RTM_NEWLINK)));
  }

  @Test
  void vethPortIsWhatIpLinkAddMasterSends() throws Exception {
    linkIndex = 99;
    linkKind = "veth";
    try (NetNs peer = NetNs.open(Path.of(t.path()))) {
      rt.createVeth(VethSpec.of("vx", "eth0").withMtu(1400).withMaster(index("br0"))
          .withPeerMac("02:00:00:00:00:01").withPeerIn(peer));
    }
    byte[] ip = iproute2(Kernel.RTM_NEWLINK, "ip", "-n", t.name(), "link", "add", "vx", "mtu", "1400", "master", "br0",
        "numtxqueues", "1", "type", "veth", "peer", "name", "eth0", "mtu", "1400", "address", "02:00:00:00:00:01",
        "numtxqueues", "1", "netns", t.name());
    assertEquals(canonical(ip), canonical(ours(Kernel.RTM_NEWLINK)));
  }
}
