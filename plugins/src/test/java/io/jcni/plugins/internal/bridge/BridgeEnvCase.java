package io.jcni.plugins.internal.bridge;

import io.jcni.libcni.testing.RequiresCapabilities;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A bridge test that gets a fresh {@link BridgeEnv} (throw-away host and container namespaces) before each test
 * method and has it torn down afterwards, also when the test fails.
 */
@RequiresCapabilities
abstract class BridgeEnvCase {
  /** The environment of the running test method. */
  BridgeEnv env;

  @BeforeEach
  void createEnv() throws Exception {
    env = BridgeEnv.create();
  }

  @AfterEach
  void closeEnv() throws Exception {
    if (env != null) {
      env.close();
    }
  }
}
