package dev.alloc.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.SiteContext;
import example.framing.FramedSubjects;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * A rewritten call site un-primes its site whatever the call throws, and the rewritten classes
 * pass the verifier (they are defined and run here, with their stack map frames checked).
 */
class SiteFramingTest {
    private static final String SUBJECTS = "example.framing.FramedSubjects";

    /** Defines the subjects from the bytes the transformer gives. */
    private static final class Rewriting extends ClassLoader {
        private final CallSiteTransformer transformer = new CallSiteTransformer(
                InterceptedCall.forKinds(1 << Kind.DIRECT, false), true, new String[0], module -> { });
        int rewritten;

        Rewriting() {
            super(SiteFramingTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(SUBJECTS)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    byte[] original = bytesOf(name);
                    byte[] bytes = transformer.transform(null, this, name.replace('.', '/'), null, null, original);
                    if (bytes != null) {
                        rewritten++;
                    }
                    loaded = defineClass(name, bytes != null ? bytes : original, 0, (bytes != null ? bytes : original).length);
                }
                return loaded;
            }
        }
    }

    private static byte[] bytesOf(String name) throws ClassNotFoundException {
        try (InputStream in = SiteFramingTest.class.getClassLoader().getResourceAsStream(name.replace('.', '/') + ".class")) {
            assertNotNull(in, name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    private static int primedSite() {
        try {
            Field site = SiteContext.class.getDeclaredField("site");
            site.setAccessible(true);
            return site.getInt(SiteContext.current());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Object call(Class<?> type, String method, Class<?>[] types, Object... args) throws Throwable {
        Method m = type.getMethod(method, types);
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void everyThrowUnprimesTheSiteAndTheRewrittenClassesVerify() throws Throwable {
        Rewriting loader = new Rewriting();
        Class<?> subjects = loader.loadClass(SUBJECTS);
        subjects.getField("primed").set(null, (IntSupplier) SiteFramingTest::primedSite);
        assertEquals(0, primedSite());

        assertEquals("caught with site 0", call(subjects, "caught", new Class<?>[0]));
        assertEquals(0, primedSite());

        assertThrows(IllegalArgumentException.class, () -> call(subjects, "escapes", new Class<?>[0]));
        assertEquals(0, primedSite());

        String[] seen = new String[1];
        assertThrows(IllegalArgumentException.class, () -> call(subjects, "inFinally", new Class<?>[] {String[].class}, (Object) seen));
        assertEquals("finally with site 0", seen[0]);
        assertEquals(0, primedSite());

        // capacity 1: 1 + 0 - 1000 (capacity -1 throws, un-primed) = -999, then 2^39 + 1
        assertEquals(-999 + (double) (1L << 39) + 1, (double) call(subjects, "manyLocals", new Class<?>[] {int.class}, 1));
        assertEquals(0, primedSite());

        Class<?> beforeSuper = loader.loadClass(SUBJECTS + "$BeforeSuper");
        assertThrows(IllegalArgumentException.class, () -> construct(beforeSuper, -5));
        assertEquals(0, primedSite());
        assertEquals(16, ((java.nio.ByteBuffer) field(construct(beforeSuper, 16), "held")).capacity());

        Class<?> afterSuper = loader.loadClass(SUBJECTS + "$AfterSuper");
        assertThrows(IllegalArgumentException.class, () -> construct(afterSuper, -6));
        assertEquals(0, primedSite());
        assertEquals(32L, field(construct(afterSuper, 32), "taken"));

        assertTrue(loader.rewritten >= 3, "the subjects were rewritten: " + loader.rewritten);
        assertEquals(FramedSubjects.class.getName(), subjects.getName());
    }

    private static Object construct(Class<?> type, int capacity) throws Throwable {
        try {
            return type.getConstructor(int.class).newInstance(capacity);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        Field f = target.getClass().getSuperclass().equals(Object.class) || hasField(target.getClass(), name)
                ? target.getClass().getDeclaredField(name) : target.getClass().getSuperclass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(target);
    }

    private static boolean hasField(Class<?> type, String name) {
        for (Field f : type.getDeclaredFields()) {
            if (f.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
