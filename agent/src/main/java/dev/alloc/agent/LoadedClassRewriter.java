package dev.alloc.agent;

import dev.alloc.agent.transform.CallSiteTransformer;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * After a dynamic attach, the application's classes are already loaded and their calls to the
 * intercepted APIs carry no site id. Retransforming them runs them through the call-site
 * transformer (registered with {@code canRetransform}), which rewrites those that mention an
 * intercepted API and leaves the rest as they are after one constant-pool scan.
 *
 * <p>Classes with a method running on some thread now are left alone: a method that is running
 * while its class is retransformed goes on in its old version, and HotSpot names the frames of
 * such an obsolete method without source file or line ({@code Foo.run(Unknown Source)}). A
 * loop that never returns would lose its line numbers for good; left alone, its allocations are
 * named by a stack walk, with their lines.
 */
final class LoadedClassRewriter {
    private static final int BATCH = 256;

    private final Instrumentation inst;

    LoadedClassRewriter(Instrumentation inst) {
        this.inst = inst;
    }

    /** Retransforms the application's loaded classes; returns what was done, for the start-up line. */
    String retransformApplicationClasses() {
        long start = System.nanoTime();
        Set<String> running = classesRunningNow();
        List<Class<?>> candidates = new ArrayList<>();
        int leftAlone = 0;
        for (Class<?> loaded : inst.getAllLoadedClasses()) {
            if (!loaded.isArray() && !loaded.isHidden() && inst.isModifiableClass(loaded)
                    && CallSiteTransformer.mayRewrite(loaded.getClassLoader(), loaded.getName().replace('.', '/'))) {
                if (running.contains(loaded.getName())) {
                    leftAlone++;
                } else {
                    candidates.add(loaded);
                }
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
        return candidates.size() + " loaded application classes rescanned for call sites in "
                + (System.nanoTime() - start) / 1_000_000 + " ms, " + leftAlone
                + " with a method running now left to stack walks";
    }

    private static Set<String> classesRunningNow() {
        Set<String> running = new HashSet<>();
        for (StackTraceElement[] stack : Thread.getAllStackTraces().values()) {
            for (StackTraceElement frame : stack) {
                running.add(frame.getClassName());
            }
        }
        return running;
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
