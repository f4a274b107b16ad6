package io.jcni.plugins.internal.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.types.IpNet;
import io.jcni.plugins.internal.linux.NetlinkCodec.Attrs;
import io.jcni.plugins.internal.linux.NetlinkCodec.Request;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The attribute layout rules of netlink(7)/rtnetlink(7): 4-byte alignment, nesting, lengths without padding. */
class NetlinkCodecTest {
  @Test
  void attributesArePaddedToFourBytesAndLengthsExcludePadding() {
    ByteBuffer b = new Request(16, 1, "x").ifinfomsg(0, 0, 0, 0).attrString(3, "eth0").attrU8(4, 7)
        .finish(99, 5);
    assertEquals(b.limit(), b.getInt(0));
    assertEquals(99, b.getInt(8));
    int a = 16 + 16;
    assertEquals(4 + 5, b.getShort(a)); // "eth0\0"
    assertEquals(3, b.getShort(a + 2));
    assertEquals(0, b.get(a + 4 + 4)); // NUL terminator
    for (int i = a + 9; i < a + 12; i++) {
      assertEquals(0, b.get(i), "padding");
    }
    assertEquals(5, b.getShort(a + 12));
    assertEquals(a + 12 + 8, b.limit());
  }

  @Test
  void nestedLengthCoversChildrenAndTheNestedFlagIsIgnoredWhenReading() {
    Request r = new Request(19, 1, "x").ifinfomsg(7, 0, 0, 0);
    int outer = r.begin(12 | Kernel.NLA_F_NESTED);
    r.attrU8(4, 1).attrU32(33, 0x01020304);
    r.end(outer);
    ByteBuffer b = r.finish(1, 0);
    assertEquals(4 + 8 + 8, b.getShort(32));
    assertEquals(12 | 0x8000, b.getShort(32 + 2) & 0xffff);
    Attrs top = Attrs.parse(b, 32, b.limit());
    assertTrue(top.has(12));
    Attrs in = top.nested(12);
    assertEquals(1, in.u8(4, -1));
    assertEquals(0x01020304, in.u32(33, -1));
    assertFalse(in.has(5));
    assertEquals(-1, in.u32(5, -1));
  }

  @Test
  void malformedAttributesStopParsingInsteadOfOverrunning() {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    b.putShort((short) 8).putShort((short) 1).putInt(42); // fine
    b.putShort((short) 64).putShort((short) 2).putInt(0); // claims more than there is
    Attrs a = Attrs.parse(b, 0, 16);
    assertEquals(42, a.u32(1, 0));
    assertFalse(a.has(2));
    assertNull(a.string(2));
  }

  @Test
  void repeatedAttributesAreAllKept() {
    Request r = new Request(19, 1, "x");
    r.attr(2, new byte[] {1, 0, 10, 0}).attr(2, new byte[] {0, 0, 20, 0});
    ByteBuffer b = r.finish(1, 0);
    Attrs a = Attrs.parse(b, 16, b.limit());
    assertEquals(2, a.all(2).size());
    assertArrayEquals(new byte[] {0, 0, 20, 0}, a.bytes(2)); // the last one wins for single reads
  }

  @Test
  void prefixFollowsRfc5952AndMasksHostBits() throws Exception {
    assertEquals("2001:db8::1:0:0:1/64", IpNet.parse("2001:db8:0:0:1:0:0:1/64").toString()); // RFC 5952 4.2.3
    assertEquals("2001:db8:0:1:1:1:1:1/64", IpNet.parse("2001:0db8:0:1:1:1:1:1/64").toString()); // 4.2.2
    assertEquals("10.22.0.0/24", IpNet.parse("10.22.0.9/24").network().toString());
    assertEquals("10.22.0.0/23", IpNet.parse("10.22.1.9/23").network().toString());
    assertEquals("2001:db8::/32", IpNet.parse("2001:db8:ff::1/32").network().toString());
  }
}
