package dev.alloc.agent;

import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.Set;

/**
 * Opens the JDK internals the agent needs, with {@link Instrumentation#redefineModule}, which is
 * the supported way for an agent to do so (no {@code --add-exports} on the user's command line):
 * {@code jdk.internal.misc} to the agent (to define the runtime in the bootstrap loader) and to
 * the runtime (its system allocator), and read edges from the JDK modules we weave to the
 * runtime's module, so woven code can call it.
 */
final class JdkAccess {
    private JdkAccess() {
    }

    /**
     * Also exports {@code jdk.internal.access}: the runtime waits for reference processing at the
     * limit as the JDK does; and {@code jdk.internal.vm}: the pools pin a virtual thread to its
     * carrier while it holds the carrier's cache across a lock.
     */
    static void exportInternalMiscTo(Instrumentation inst, Module target) {
        Module javaBase = Object.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of("jdk.internal.misc", Set.of(target),
                        "jdk.internal.access", Set.of(target), "jdk.internal.vm", Set.of(target)),
                Map.of(), Set.of(), Map.of()); // exported, not opened: no reflection; an opening costs the start a lambda
    }

    /**
     * Opens {@code jdk.internal.foreign.abi} (JDK 22+) to the runtime, whose pool maps its region
     * with a downcall made there without the restricted-method warning; absent, the pool uses malloc.
     */
    static void openForeignLinkerTo(Instrumentation inst, Module target) {
        Module javaBase = Object.class.getModule();
        if (javaBase.getPackages().contains("jdk.internal.foreign.abi")) {
            inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of("jdk.internal.foreign.abi", Set.of(target)),
                    Set.of(), Map.of());
        }
    }

    /**
     * Opens {@code jdk.internal.loader} to the runtime, which asks the JVM's own symbol lookup
     * for {@code dlsym(RTLD_DEFAULT, "malloc")} (kind malloc) without a restricted FFM call.
     */
    static void openLoaderTo(Instrumentation inst, Module target) {
        inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                Map.of("jdk.internal.loader", Set.of(target)), Set.of(), Map.of());
    }

    /** Lets every JDK module that the agent weaves read the runtime's module. */
    static void letJdkRead(Instrumentation inst, Module runtime) {
        for (String name : new String[] {"java.base", "jdk.unsupported"}) {
            Module module = ModuleLayer.boot().findModule(name).orElse(null);
            if (module != null) {
                inst.redefineModule(module, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of());
            }
        }
    }
}
