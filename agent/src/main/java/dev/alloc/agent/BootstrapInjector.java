package dev.alloc.agent;

import dev.alloc.runtime.report.Log;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import jdk.internal.misc.Unsafe;

/**
 * Makes the runtime's classes ({@code dev.alloc} outside {@code dev.alloc.agent}) classes of the
 * bootstrap class loader, so that JDK classes can call them.
 *
 * <p>They are defined one by one with {@code jdk.internal.misc.Unsafe.defineClass} and a null
 * loader rather than by appending a jar to the bootstrap search path: appending makes the JVM
 * print a class-data-sharing warning at every start and turns CDS off for application classes.
 * A class whose supertype is not defined yet fails with {@code NoClassDefFoundError} and is
 * tried again after the others.
 *
 * <p>The one call, {@code jdk.internal.misc.Unsafe.defineClass}, is a direct call ({@link
 * UnsafeDefiner}): the agent is compiled with {@code --release 17}, which does not know
 * {@code jdk.internal.misc}, against a compile-time stub of the class ({@code runtime/src/jdk-stub});
 * it links to the JDK's class once {@code jdk.internal.misc} is exported to the agent's module.
 * (Reflection would cost the start-up its first {@code Method.invoke}: on JDK 18+ that spins
 * method handles, ~100 classes and tens of milliseconds on JDK 25.)
 */
final class BootstrapInjector {
    /** The only class naming {@code jdk.internal.misc.Unsafe}; loaded after the export. */
    private static final class UnsafeDefiner {
        private UnsafeDefiner() {
        }

        static Class<?> define(String binaryName, byte[] bytes) {
            return define(binaryName, bytes, bytes.length);
        }

        static Class<?> define(String binaryName, byte[] bytes, int length) {
            return Unsafe.getUnsafe().defineClass(binaryName, bytes, 0, length, null, null);
        }
    }

    /** {@code JdkAccess.exportInternalMiscTo(agent module)} must have run before a class is defined. */
    BootstrapInjector() {
    }

    /** Where the shade plugin puts ASM in the agent jar (agent/pom.xml). */
    private static final String SHADED_ASM = "dev/alloc/agent/shaded/asm/";

    /** The agent jar, for the packages defined later. */
    private static volatile File agentJarFile;

    /** Defines every runtime class found in {@code agentJar} but the lazy packages; returns how many. */
    int injectRuntime(File jar, JarFile agentJar) throws IOException {
        agentJarFile = jar;
        try (RuntimeBundle.Entries bundle = RuntimeBundle.Entries.open(agentJar, true)) {
            if (bundle == null) {
                return define(RuntimeJar.eagerClasses(agentJar));
            }
            // Each class straight from the bundle's buffer (supertypes come first); one whose
            // definition fails, most likely waiting for a supertype, is kept for the retries.
            Map<String, byte[]> pending = new LinkedHashMap<>();
            int defined = 0;
            while (bundle.next()) {
                if (!RuntimeJar.isEager(bundle.entryName())) {
                    continue;
                }
                String name = RuntimeJar.binaryName(bundle.entryName());
                try {
                    UnsafeDefiner.define(name, bundle.bytes(), bundle.length());
                    defined++;
                } catch (LinkageError e) {
                    if (isAlreadyDefined(e)) {
                        defined++;
                    } else {
                        pending.put(name, Arrays.copyOf(bundle.bytes(), bundle.length()));
                    }
                }
            }
            return defined + define(pending);
        }
    }

    /** Remembers the agent jar when an earlier start already defined the runtime. */
    static void runtimeDefinedFrom(File jar) {
        if (agentJarFile == null) {
            agentJarFile = jar;
        }
    }

    /**
     * Defines the runtime classes under {@code packagePrefix} (an entry name prefix, one of
     * {@link RuntimeJar}'s lazy packages) unless already defined. Never throws: a failure leaves
     * that side of the agent off, with one warning.
     */
    static synchronized void injectPackage(String packagePrefix) {
        File jar = agentJarFile;
        if (jar == null) {
            return; // the runtime came from the bootstrap search path, with every class
        }
        try (JarFile agentJar = new JarFile(jar)) {
            new BootstrapInjector().define(RuntimeJar.classes(agentJar, packagePrefix, false));
        } catch (Throwable e) {
            Log.warn("cannot define the agent's " + packagePrefix + " classes: " + e);
        }
    }

    /**
     * Defines the agent's shaded ASM in the bootstrap loader (the transformers' first use of ASM,
     * see {@code AsmLoading}): the JVM verifies no class there, and the agent's classes find ASM
     * there through their loader's parent. Never throws: on a failure before any class is
     * defined, ASM loads in the agent's loader as before.
     */
    static synchronized void injectShadedAsm() {
        File jar = agentJarFile;
        if (jar == null) {
            return;
        }
        try (JarFile agentJar = new JarFile(jar)) {
            Map<String, byte[]> classes = new LinkedHashMap<>();
            for (Enumeration<JarEntry> entries = agentJar.entries(); entries.hasMoreElements();) {
                JarEntry entry = entries.nextElement();
                String name = entry.getName();
                if (name.startsWith(SHADED_ASM) && name.endsWith(".class")) {
                    try (InputStream in = agentJar.getInputStream(entry)) {
                        classes.put(name.substring(0, name.length() - 6).replace('/', '.'), RuntimeJar.read(in, entry.getSize()));
                    }
                }
            }
            new BootstrapInjector().define(classes);
        } catch (Throwable e) {
            Log.debug("ASM stays in the agent's class loader: " + e);
        }
    }

    private int define(Map<String, byte[]> classes) {
        Map<String, byte[]> pending = classes;
        int defined = 0;
        while (!pending.isEmpty()) {
            List<String> done = new ArrayList<>();
            Throwable lastFailure = null;
            for (Map.Entry<String, byte[]> entry : pending.entrySet()) {
                try {
                    UnsafeDefiner.define(entry.getKey(), entry.getValue());
                    done.add(entry.getKey());
                } catch (LinkageError e) {
                    if (isAlreadyDefined(e)) {
                        done.add(entry.getKey());
                    } else {
                        lastFailure = e; // most likely a supertype not defined yet
                    }
                }
            }
            if (done.isEmpty()) {
                throw new IllegalStateException("cannot define " + pending.keySet() + " in the bootstrap loader",
                        lastFailure);
            }
            for (String name : done) {
                pending.remove(name);
            }
            defined += done.size();
        }
        return defined;
    }

    /** HotSpot's message: "attempted duplicate class definition" or, for an interface, "... interface definition". */
    private static boolean isAlreadyDefined(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        return message.contains("duplicate class definition") || message.contains("duplicate interface definition");
    }
}
