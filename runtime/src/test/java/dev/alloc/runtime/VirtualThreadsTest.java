package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** {@link VirtualThreads} answers what {@code Thread.isVirtual()} answers, on the JDK running the build. */
class VirtualThreadsTest {
    @Test
    void answersWhatTheJdkAnswers() throws Exception {
        Thread platform = new Thread(() -> { });
        assertFalse(VirtualThreads.isVirtual(platform));
        assertFalse(VirtualThreads.isVirtual(Thread.currentThread()));
        Method isVirtual;
        try {
            isVirtual = Thread.class.getMethod("isVirtual");
        } catch (NoSuchMethodException e) {
            return; // JDK 17: no virtual threads, and false above is the answer
        }
        // Compiled for 17: the 21+ API by reflection.
        Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
        Method unstarted = Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class);
        Thread virtual = (Thread) unstarted.invoke(builder, (Runnable) () -> { });
        assertEquals(true, isVirtual.invoke(virtual));
        assertEquals(true, VirtualThreads.isVirtual(virtual));
        assertEquals(false, isVirtual.invoke(platform));
    }
}
