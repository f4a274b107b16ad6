package io.jcni.libcni.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a privileged test (class or method): it runs only while this process holds the capabilities (by default
 * those to make namespaces and links), is tagged {@code privileged}, and is otherwise skipped with the missing
 * capabilities as reason — except under {@code CI=true}, where it fails instead.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag("privileged")
@ExtendWith(Requirements.class)
public @interface RequiresCapabilities {
  /** The capabilities needed. */
  Capability[] value() default {Capability.NET_ADMIN, Capability.SYS_ADMIN};
}
