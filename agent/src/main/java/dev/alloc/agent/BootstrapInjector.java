package dev.alloc.agent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Makes the runtime's classes ({@code dev.alloc} outside {@code dev.alloc.agent}) classes of the
 * bootstrap class loader, so that JDK classes can call them.
 *
 * <p>They are defined one by one with {@code jdk.internal.misc.Unsafe.defineClass} and a null
 * loader rather than by appending a jar to the bootstrap search path: appending makes the JVM
 * print a class-data-sharing warning at every start and turns CDS off for application classes.
 * A class whose supertype is not defined yet fails with {@code NoClassDefFoundError} and is
 * tried again after the others. Generated call-site wrappers are defined the same way later.
 */
final class BootstrapInjector {
    private static final String JFR_PACKAGE = "dev/alloc/runtime/jfr/";

    private final Object unsafe;
    private final Method defineClass;

    BootstrapInjector() throws ReflectiveOperationException {
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        defineClass = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, java.security.ProtectionDomain.class);
    }

    /**
     * Defines every runtime class found in {@code agentJar}; returns how many. The Flight
     * Recorder classes are left out on a JVM without the {@code jdk.jfr} module (jlink), where
     * their supertypes do not exist.
     */
    int injectRuntime(JarFile agentJar) throws IOException, ReflectiveOperationException {
        boolean withJfr = ModuleLayer.boot().findModule("jdk.jfr").isPresent();
        Map<String, byte[]> pending = new LinkedHashMap<>();
        for (Enumeration<JarEntry> entries = agentJar.entries(); entries.hasMoreElements();) {
            JarEntry entry = entries.nextElement();
            String name = entry.getName();
            if (name.startsWith("dev/alloc/") && name.endsWith(".class") && !name.startsWith("dev/alloc/agent/")
                    && !name.endsWith("module-info.class") && !name.endsWith("package-info.class")
                    && (withJfr || !name.startsWith(JFR_PACKAGE))) {
                try (InputStream in = agentJar.getInputStream(entry)) {
                    pending.put(name.substring(0, name.length() - 6).replace('/', '.'), readAll(in));
                }
            }
        }
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

    /** Defines one class in the bootstrap loader. */
    Class<?> define(String binaryName, byte[] bytes) throws ReflectiveOperationException {
        return (Class<?>) defineClass.invoke(unsafe, binaryName, bytes, 0, bytes.length, null, null);
    }

    private static boolean isAlreadyDefined(Throwable failure) {
        return failure instanceof LinkageError && String.valueOf(failure.getMessage()).contains("duplicate class definition");
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0;) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
