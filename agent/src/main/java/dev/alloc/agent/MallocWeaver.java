package dev.alloc.agent;

import dev.alloc.agent.transform.DowncallTransformer;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;

/**
 * Weaves the {@code malloc} kind's choke point (the FFM linker's {@code downcallHandle}, see
 * {@link DowncallTransformer}) and says whether it took: a JDK whose linker differs gets one
 * warning and no {@code malloc} tracking.
 */
final class MallocWeaver {
    private final Instrumentation inst;

    MallocWeaver(Instrumentation inst) {
        this.inst = inst;
    }

    boolean weave() {
        Class<?> linker;
        try {
            linker = Class.forName(DowncallTransformer.LINKER.replace('/', '.'), false, null);
        } catch (Throwable e) {
            Log.warn("this JDK has no FFM linker the agent knows (" + e + "); malloc memory is not tracked");
            return false;
        }
        DowncallTransformer transformer = new DowncallTransformer();
        inst.addTransformer(transformer, true);
        try {
            inst.retransformClasses(linker);
        } catch (Throwable e) {
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
