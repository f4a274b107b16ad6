package io.jcni.libcni.testing;

import java.lang.reflect.AnnotatedElement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit extension behind {@link RequiresCapabilities} and {@link RequiresExecutable}: a test whose requirements
 * are not met is disabled with them as reason, or, under {@code CI=true}, let through to fail in
 * {@code beforeAll}/{@code beforeEach} (a condition can only skip).
 */
public final class Requirements implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<String> missing = context.getElement().flatMap(Requirements::missing);
    if (missing.isEmpty()) {
      return ConditionEvaluationResult.enabled("requirements met");
    }
    if (underCi()) {
      return ConditionEvaluationResult.enabled("CI=true: fails before it runs");
    }
    return ConditionEvaluationResult.disabled("needs " + missing.get());
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getElement().flatMap(Requirements::missing).ifPresent(Requirements::failUnderCi);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getElement().flatMap(Requirements::missing).ifPresent(Requirements::failUnderCi);
  }

  /** Skips the running test unless it holds {@code needed}; fails it instead under {@code CI=true}. */
  static void require(Set<Capability> needed) {
    missingCapabilities(needed).ifPresent(Requirements::skipOrFail);
  }

  /** Skips the running test unless {@code path} is executable; fails it instead under {@code CI=true}. */
  static void requireExecutable(String path) {
    missingExecutables(List.of(path)).ifPresent(Requirements::skipOrFail);
  }

  private static Optional<String> missing(AnnotatedElement element) {
    List<String> missing = new ArrayList<>();
    AnnotationSupport.findAnnotation(element, RequiresCapabilities.class)
        .flatMap(a -> missingCapabilities(Set.of(a.value())))
        .ifPresent(missing::add);
    AnnotationSupport.findAnnotation(element, RequiresExecutable.class)
        .flatMap(a -> missingExecutables(List.of(a.value())))
        .ifPresent(missing::add);
    return missing.isEmpty() ? Optional.empty() : Optional.of(String.join(" and ", missing));
  }

  private static Optional<String> missingCapabilities(Set<Capability> needed) {
    Set<Capability> lacking = needed.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(needed);
    lacking.removeAll(Capability.effective());
    return lacking.isEmpty()
        ? Optional.empty()
        : Optional.of(String.join(", ", lacking.stream().map(Capability::kernelName).toList())
            + " (effective capabilities, /proc/self/status CapEff)");
  }

  private static Optional<String> missingExecutables(List<String> paths) {
    List<String> absent = paths.stream().filter(p -> !Files.isExecutable(Path.of(p))).toList();
    return absent.isEmpty() ? Optional.empty() : Optional.of("executable " + String.join(", ", absent));
  }

  private static boolean underCi() {
    return "true".equals(System.getenv("CI"));
  }

  private static void failUnderCi(String missing) {
    // Reached only under CI=true: otherwise the condition has disabled the test already.
    throw new AssertionError("needs " + missing + ", and a privileged test must not be skipped while CI=true");
  }

  private static void skipOrFail(String missing) {
    if (underCi()) {
      failUnderCi(missing);
    }
    org.junit.jupiter.api.Assumptions.abort("needs " + missing);
  }
}
