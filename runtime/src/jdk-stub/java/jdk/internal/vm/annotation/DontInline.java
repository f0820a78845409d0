package jdk.internal.vm.annotation;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Compile-time stand-in for the JDK's {@code jdk.internal.vm.annotation.DontInline} (not
 * exported), on the runtime's source path only; no class file of it is ever made
 * ({@code -implicit:none}). HotSpot honours the annotation by its name on methods of classes
 * the boot loader defines, which the runtime's are: the JIT never inlines such a method into
 * its callers (see {@code JdkHooks}).
 */
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR})
@Retention(RetentionPolicy.RUNTIME)
public @interface DontInline {
}
