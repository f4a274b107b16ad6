package io.jcni.plugins.internal.linux;

import java.lang.reflect.Method;

/**
 * Calls {@link NetNs#runIn} from a virtual thread and prints what happened; run by {@link NetNsTest} on a
 * Java 21+ runtime (this project compiles for 17, so virtual threads are reached reflectively).
 */
public final class VirtualThreadProbe {
  private VirtualThreadProbe() {}

  public static void main(String[] args) throws Exception {
    String[] out = new String[1];
    Runnable r = () -> {
      try (NetNs ns = NetNs.current()) {
        ns.runIn(() -> "ran");
        out[0] = "RAN";
      } catch (IllegalStateException e) {
        out[0] = "REFUSED " + e.getMessage();
      } catch (Exception e) {
        out[0] = "FAILED " + e;
      }
    };
    Method start = Thread.class.getMethod("startVirtualThread", Runnable.class);
    Thread t = (Thread) start.invoke(null, r);
    t.join();
    System.out.println(out[0]);
  }
}
