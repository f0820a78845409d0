package dev.alloc.agent;

import dev.alloc.agent.command.Commands;
import dev.alloc.agent.command.Request;
import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.jar.JarFile;

/**
 * The agent's entry points. They do as little as possible and never let anything escape into
 * the application: the runtime is put into the bootstrap class loader first (nothing here may
 * touch a runtime class before that), then {@link Installer} does the rest.
 */
public final class AllocAgent {
    private AllocAgent() {
    }

    /** {@code -javaagent:alloc.jar=<options>}. */
    public static void premain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst, false);
    }

    /**
     * Loaded into a running JVM: {@code java -jar alloc.jar attach <pid>} starts the agent; the
     * other commands ({@code status}, {@code limit}, {@code report}, {@code top}) load it again with
     * a command as the argument, which the running agent answers (see {@link Commands}).
     */
    public static void agentmain(String agentArgs, Instrumentation inst) {
        if (Request.isCommand(agentArgs)) {
            Commands.run(agentArgs, isRuntimeLoaded() && Installer.isStarted());
            return;
        }
        start(agentArgs, inst, true);
    }

    private static void start(String agentArgs, Instrumentation inst, boolean attached) {
        try {
            if (!loadRuntime(inst)) {
                return;
            }
            Installer.start(agentArgs, inst, attached);
        } catch (Throwable e) {
            System.err.println("alloc: the agent failed to start and is off, the application runs untracked: " + e);
        }
    }

    /** Defines the runtime in the bootstrap loader unless an earlier start did. */
    private static boolean loadRuntime(Instrumentation inst) throws Exception {
        File jar = new File(AllocAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (isRuntimeLoaded()) {
            BootstrapInjector.runtimeDefinedFrom(jar);
            return true;
        }
        try (JarFile agentJar = new JarFile(jar)) {
            try {
                JdkAccess.exportInternalMiscTo(inst, AllocAgent.class.getModule());
                new BootstrapInjector().injectRuntime(jar, agentJar);
            } catch (Exception | LinkageError e) {
                // A JDK without Unsafe.defineClass: the documented way, at the price of a CDS warning.
                inst.appendToBootstrapClassLoaderSearch(new JarFile(RuntimeJar.extract(agentJar)));
            }
        }
        return isRuntimeLoaded();
    }

    private static boolean isRuntimeLoaded() {
        try {
            Class.forName("dev.alloc.runtime.OffHeap", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
