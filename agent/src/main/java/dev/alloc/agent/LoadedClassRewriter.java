package dev.alloc.agent;

import dev.alloc.agent.transform.CallSiteTransformer;
import dev.alloc.runtime.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * After a dynamic attach, the application's classes are already loaded and their calls to the
 * intercepted APIs carry no site id. Retransforming them runs them through the call-site
 * transformer (registered with {@code canRetransform}), which rewrites those that mention an
 * intercepted API and leaves the rest as they are after one constant-pool scan.
 */
final class LoadedClassRewriter {
    private static final int BATCH = 256;

    private final Instrumentation inst;

    LoadedClassRewriter(Instrumentation inst) {
        this.inst = inst;
    }

    /** Returns how many classes were offered to the transformer. */
    int retransformApplicationClasses() {
        List<Class<?>> candidates = new ArrayList<>();
        for (Class<?> loaded : inst.getAllLoadedClasses()) {
            if (!loaded.isArray() && !loaded.isHidden() && inst.isModifiableClass(loaded)
                    && CallSiteTransformer.mayRewrite(loaded.getClassLoader(), loaded.getName().replace('.', '/'))) {
                candidates.add(loaded);
            }
        }
        int failed = 0;
        for (int from = 0; from < candidates.size(); from += BATCH) {
            List<Class<?>> batch = candidates.subList(from, Math.min(candidates.size(), from + BATCH));
            try {
                inst.retransformClasses(batch.toArray(new Class<?>[0]));
            } catch (Throwable batchFailed) {
                failed += oneByOne(batch);
            }
        }
        if (failed > 0) {
            Log.warn(failed + " loaded classes could not be retransformed; allocations from them are named by a stack walk");
        }
        return candidates.size();
    }

    private int oneByOne(List<Class<?>> batch) {
        int failed = 0;
        for (Class<?> type : batch) {
            try {
                inst.retransformClasses(type);
            } catch (Throwable e) {
                Log.debug("cannot retransform " + type.getName() + ": " + e);
                failed++;
            }
        }
        return failed;
    }
}
