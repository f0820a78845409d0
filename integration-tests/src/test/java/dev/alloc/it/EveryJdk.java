package dev.alloc.it;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A test run once on every JDK under test ({@link Jdk#all()}, never empty: the JDK running the
 * tests is always there). A test that needs a newer JDK calls {@link Jdk#require} and is skipped,
 * with the reason, on the others, so the suite passes on a machine with JDK 17 alone.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "{0}")
@MethodSource("dev.alloc.it.Jdk#all")
public @interface EveryJdk {
}
