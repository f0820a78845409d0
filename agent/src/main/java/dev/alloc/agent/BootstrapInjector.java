package dev.alloc.agent;

import dev.alloc.runtime.report.Log;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
            return Unsafe.getUnsafe().defineClass(binaryName, bytes, 0, bytes.length, null, null);
        }
    }

    /** {@code JdkAccess.exportInternalMiscTo(agent module)} must have run before a class is defined. */
    BootstrapInjector() {
    }

    /** The agent jar, for the packages defined later. */
    private static volatile File agentJarFile;

    /** Defines every runtime class found in {@code agentJar} but the lazy packages; returns how many. */
    int injectRuntime(File jar, JarFile agentJar) throws IOException {
        agentJarFile = jar;
        return define(RuntimeJar.eagerClasses(agentJar));
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
