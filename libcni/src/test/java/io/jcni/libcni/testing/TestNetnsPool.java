package io.jcni.libcni.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that hands out {@link TestNetns} namespaces to a privileged test and deletes every one of them
 * after each test method, also when it fails. Register it with {@code @RegisterExtension} in a test class gated by
 * {@link RequiresCapabilities}.
 */
public final class TestNetnsPool implements AfterEachCallback {
  private final List<TestNetns> namespaces = new ArrayList<>();

  /** Creates a namespace like {@link TestNetns#create} that is deleted after the current test. */
  public TestNetns create(String prefix) throws IOException {
    TestNetns ns = TestNetns.create(prefix);
    namespaces.add(ns);
    return ns;
  }

  /** Creates a namespace like {@link TestNetns#createWithLoopback} that is deleted after the current test. */
  public TestNetns createWithLoopback(String prefix) throws IOException {
    TestNetns ns = TestNetns.createWithLoopback(prefix);
    namespaces.add(ns);
    return ns;
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    // Newest first, as try-with-resources would; every namespace gets its delete even after one fails, and the
    // last failure is reported.
    IOException failure = null;
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      try {
        namespaces.get(i).close();
      } catch (IOException e) {
        failure = e;
      }
    }
    namespaces.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
