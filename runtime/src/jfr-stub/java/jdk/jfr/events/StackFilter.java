package jdk.jfr.events;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Compile-time stand-in for JDK 22+'s {@code jdk.jfr.events.StackFilter} (not exported, absent
 * from JDK 17), on the runtime's source path only: it lets javac write the annotation into the
 * event classes, and no class file of it is ever made ({@code -implicit:none}). At run time JDK
 * 23+ finds its own type and drops the listed frames from the top of the event's stack trace;
 * older JDKs find no such type and ignore the annotation, as they must for an absent one.
 */
@Target(ElementType.TYPE)
@Inherited
@Retention(RetentionPolicy.RUNTIME)
public @interface StackFilter {
    String[] value();
}
