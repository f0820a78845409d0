package dev.alloc.agent;

import dev.alloc.agent.transform.DowncallTransformer;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;

/**
 * Weaves the {@code malloc} kind's choke point (the FFM linker's {@code downcallHandle}, see
 * {@link DowncallTransformer}) and says whether it took: a JDK whose linker differs gets one
 * warning and no {@code malloc} tracking. At start, when the linker is not loaded yet (a program
 * that makes no downcall never loads it, nor the FFM classes it needs), it is woven at its first
 * load and checked then (one warning then on such a JDK); otherwise it is retransformed now.
 */
final class MallocWeaver {
    private final Instrumentation inst;
    /**
     * What the woven linker's code needs before it runs: the runtime's {@code malloc} classes
     * defined ({@link RuntimeJar#MALLOC_CLASSES}) and {@code jdk.internal.loader} opened to the
     * runtime (see {@link JdkAccess#openLoaderTo}).
     */
    private final Runnable prepareRuntime;

    MallocWeaver(Instrumentation inst, Module runtime) {
        this.inst = inst;
        this.prepareRuntime = new Runnable() { // not a lambda: none on the start-up path
            @Override
            public void run() {
                BootstrapInjector.injectPackage(RuntimeJar.MALLOC_CLASSES);
                JdkAccess.openLoaderTo(inst, runtime);
            }
        };
    }

    /**
     * At start the runtime is prepared only when the linker is woven, at its first load: five
     * classes fewer at start, and the opening costs a lambda of the JDK's {@code redefineModule}.
     */
    boolean weave(boolean atStart) {
        if (atStart) {
            DowncallTransformer atFirstLoad = new DowncallTransformer(prepareRuntime);
            atFirstLoad.warnIfNotWoven();
            inst.addTransformer(atFirstLoad, true); // before looking: a class loaded from now on passes it
            if (LoadedBootClasses.find(inst, DowncallTransformer.LINKER).isEmpty()) {
                return true;
            }
            inst.removeTransformer(atFirstLoad);
        }
        prepareRuntime.run();
        DowncallTransformer transformer = new DowncallTransformer(null);
        Class<?> linker;
        try {
            linker = Class.forName(DowncallTransformer.LINKER.replace('/', '.'), false, null);
        } catch (Throwable e) {
            Log.warn("this JDK has no FFM linker the agent knows (" + e + "); malloc memory is not tracked");
            return false;
        }
        inst.addTransformer(transformer, true);
        try {
            inst.retransformClasses(linker);
        } catch (Throwable e) {
            inst.removeTransformer(transformer);
            Log.warn("cannot instrument the FFM linker (" + e + "); malloc memory is not tracked");
            return false;
        }
        if (transformer.wovenReturns() == 0) {
            Log.warn("this JDK's FFM linker differs from what the agent knows; malloc memory is not tracked");
            return false;
        }
        return true;
    }
}
