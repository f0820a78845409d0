package dev.alloc.agent;

import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

/**
 * Makes the runtime's classes ({@code dev.alloc} outside {@code dev.alloc.agent}) classes of the
 * bootstrap class loader, so that JDK classes can call them.
 *
 * <p>They are defined one by one with {@code jdk.internal.misc.Unsafe.defineClass} and a null
 * loader rather than by appending a jar to the bootstrap search path: appending makes the JVM
 * print a class-data-sharing warning at every start and turns CDS off for application classes.
 * A class whose supertype is not defined yet fails with {@code NoClassDefFoundError} and is
 * tried again after the others.
 */
final class BootstrapInjector {
    private final Object unsafe;
    private final Method defineClass;

    BootstrapInjector() throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        defineClass = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, java.security.ProtectionDomain.class);
    }

    /** Defines every runtime class found in {@code agentJar}; returns how many. */
    int injectRuntime(JarFile agentJar) throws IOException, ReflectiveOperationException {
        Map<String, byte[]> pending = RuntimeJar.classes(agentJar);
        int defined = 0;
        while (!pending.isEmpty()) {
            List<String> done = new ArrayList<>();
            Throwable lastFailure = null;
            for (Map.Entry<String, byte[]> entry : pending.entrySet()) {
                try {
                    define(entry.getKey(), entry.getValue());
                    done.add(entry.getKey());
                } catch (java.lang.reflect.InvocationTargetException e) {
                    if (isAlreadyDefined(e.getCause())) {
                        done.add(entry.getKey());
                    } else {
                        lastFailure = e.getCause(); // most likely a supertype not defined yet
                    }
                }
            }
            if (done.isEmpty()) {
                throw new IllegalStateException("cannot define " + pending.keySet() + " in the bootstrap loader",
                        lastFailure);
            }
            done.forEach(pending::remove);
            defined += done.size();
        }
        return defined;
    }

    private Class<?> define(String binaryName, byte[] bytes) throws ReflectiveOperationException {
        return (Class<?>) defineClass.invoke(unsafe, binaryName, bytes, 0, bytes.length, null, null);
    }

    private static boolean isAlreadyDefined(Throwable failure) {
        return failure instanceof LinkageError && String.valueOf(failure.getMessage()).contains("duplicate class definition");
    }
}
