package io.jcni.libcni.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test (class or method) that runs programs, e.g. the Go plugins in {@code /usr/lib/cni}: it is skipped
 * with the missing paths as reason unless each is executable — except under {@code CI=true}, where it fails
 * instead ({@code run-tests} installs them).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(Requirements.class)
public @interface RequiresExecutable {
  /** Absolute paths of the programs. */
  String[] value();
}
