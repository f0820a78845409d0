package dev.alloc.agent;

import dev.alloc.agent.transform.ChokePoint;
import dev.alloc.agent.transform.ChokePointTransformer;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Weaves the choke points of the requested kinds into the JDK and reports which kinds are
 * really covered: both an allocation and a free hook must have been woven, or the kind is
 * turned off with one warning (a JDK whose internals differ degrades, never crashes).
 *
 * <p>At start ({@code premain}) a class that holds all of its kind's calls ({@link #AT_FIRST_LOAD})
 * and is not loaded yet is woven at its first load instead of being loaded and retransformed now
 * (a retransformation makes the JVM read the class file again and redefine the class: milliseconds
 * each, and classes a program may never use). Such a class is rewritten whole or not at all
 * ({@link ChokePointTransformer}), so its kind is checked when it loads. The transformer is
 * installed first, so no target can load unseen (a missed free is fatal once pools exist); every
 * other target is then loaded, which weaves it if it was not loaded yet, and only those loaded
 * before (at start, {@code DirectByteBuffer}) are retransformed, in one call, before the kinds are
 * checked. After a dynamic attach no class is left to its first load (other threads load classes
 * then).
 */
final class ChokePointWeaver {
    /**
     * The choke points woven at their first load when not loaded at start: {@code sun.misc.Unsafe}
     * (every call of kind {@code unsafe}) and {@code sun.nio.ch.Util} (JDK 25's temporary buffers,
     * allocated and freed there; no call on 17). {@code DirectByteBuffer} is loaded before any
     * agent starts; its {@code Deallocator} and FFM's nested classes hold the frees of allocations
     * made elsewhere, so they are woven, and checked, with them.
     */
    static final Set<String> AT_FIRST_LOAD = Set.of("sun/misc/Unsafe", "sun/nio/ch/Util");

    /** What {@link #preloadViewBuffers} loads: {@code DirectByteBuffer}'s read-only twin and view buffers. */
    private static final String[] VIEW_BUFFERS = {"java.nio.DirectByteBufferR",
        "java.nio.ByteBufferAsCharBufferB", "java.nio.ByteBufferAsCharBufferL",
        "java.nio.DirectCharBufferU", "java.nio.DirectCharBufferS",
        "java.nio.ByteBufferAsShortBufferB", "java.nio.ByteBufferAsShortBufferL",
        "java.nio.DirectShortBufferU", "java.nio.DirectShortBufferS",
        "java.nio.ByteBufferAsIntBufferB", "java.nio.ByteBufferAsIntBufferL",
        "java.nio.DirectIntBufferU", "java.nio.DirectIntBufferS",
        "java.nio.ByteBufferAsLongBufferB", "java.nio.ByteBufferAsLongBufferL",
        "java.nio.DirectLongBufferU", "java.nio.DirectLongBufferS",
        "java.nio.ByteBufferAsFloatBufferB", "java.nio.ByteBufferAsFloatBufferL",
        "java.nio.DirectFloatBufferU", "java.nio.DirectFloatBufferS",
        "java.nio.ByteBufferAsDoubleBufferB", "java.nio.ByteBufferAsDoubleBufferL",
        "java.nio.DirectDoubleBufferU", "java.nio.DirectDoubleBufferS"};

    private final Instrumentation inst;

    ChokePointWeaver(Instrumentation inst) {
        this.inst = inst;
    }

    /** Returns the mask of kinds whose choke points are fully woven (or, woven at first load, will be checked then). */
    int weave(int requestedKinds, boolean atStart) {
        List<ChokePoint> requested = new ArrayList<>();
        for (ChokePoint chokePoint : ChokePoint.all()) {
            if ((requestedKinds & (1 << chokePoint.kind())) != 0) {
                requested.add(chokePoint);
            }
        }
        if (requested.isEmpty()) {
            return 0;
        }
        Set<String> atFirstLoad = atStart ? AT_FIRST_LOAD : Set.of();
        if (atStart && (requestedKinds & 1 << Kind.DIRECT) != 0 && Runtime.version().feature() >= 25) {
            preloadViewBuffers();
        }
        ChokePointTransformer transformer = new ChokePointTransformer(requested, atFirstLoad);
        inst.addTransformer(transformer, true); // before looking: a class loaded from now on passes it
        Map<String, Class<?>> loaded = LoadedBootClasses.find(inst, atFirstLoad.toArray(new String[0]));
        List<ChokePoint> chokePoints = new ArrayList<>();
        List<ChokePoint> later = new ArrayList<>();
        List<Class<?>> targets = new ArrayList<>();
        for (ChokePoint chokePoint : requested) {
            if (atFirstLoad.contains(chokePoint.className()) && !loaded.containsKey(chokePoint.className())) {
                later.add(chokePoint);
            } else if (preload(chokePoint, targets)) {
                chokePoints.add(chokePoint);
            }
        }
        List<Class<?>> loadedBefore = new ArrayList<>(); // the others were just woven at their first load
        for (Class<?> target : targets) {
            if (!transformer.sawLoad(target.getName().replace('.', '/'))) {
                loadedBefore.add(target);
            }
        }
        if (!loadedBefore.isEmpty()) {
            try {
                inst.retransformClasses(loadedBefore.toArray(new Class<?>[0]));
            } catch (Throwable e) {
                inst.removeTransformer(transformer);
                Log.warn("cannot instrument the JDK (" + e + "); off-heap memory is not tracked");
                return 0;
            }
        }
        int woven = 0;
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            if ((requestedKinds & (1 << kind)) == 0) {
                continue;
            }
            boolean checkedAtFirstLoad = !hasKind(chokePoints, kind) && hasKind(later, kind);
            if (checkedAtFirstLoad || covered(transformer, chokePoints, targets, kind)) {
                woven |= 1 << kind;
            }
        }
        return woven;
    }

    /**
     * JDK 25: loads, before the first transformer makes every class load pass through the agent,
     * the 25 classes the JVM's verifier loads when {@code DirectByteBuffer} is retransformed (the
     * view buffers its methods return; JDK 17's verifier loads none of them, so they are not
     * loaded there). Loaded with the class-file-load hook on, each cost a copy of its bytes (about
     * 190 KB of garbage in all) and a call of the transformers; loaded now, a lookup in the CDS
     * archive. A name this JDK lacks is skipped.
     */
    private static void preloadViewBuffers() {
        for (String name : VIEW_BUFFERS) {
            try {
                Class.forName(name, false, null);
            } catch (Throwable e) {
                // the verifier will load what this JDK has
            }
        }
    }

    private static boolean hasKind(List<ChokePoint> chokePoints, int kind) {
        for (ChokePoint chokePoint : chokePoints) {
            if (chokePoint.kind() == kind) {
                return true;
            }
        }
        return false;
    }

    private boolean covered(ChokePointTransformer transformer, List<ChokePoint> chokePoints, List<Class<?>> targets,
                            int kind) {
        boolean allocates = false;
        boolean frees = false;
        for (Class<?> target : targets) {
            String name = target.getName().replace('.', '/');
            for (ChokePoint chokePoint : chokePoints) {
                if (chokePoint.kind() == kind && chokePoint.covers(name)) {
                    String hooks = transformer.hooksWovenInto(name);
                    allocates |= chokePoint.allocateHook() != null && hooks.contains(chokePoint.allocateHook());
                    frees |= chokePoint.freeHook() != null && hooks.contains(chokePoint.freeHook());
                }
            }
        }
        if (!allocates || !frees) {
            Log.warn("this JDK's internals differ from what the agent knows; " + Kind.name(kind)
                    + " memory is not tracked (allocation hook " + (allocates ? "found" : "missing")
                    + ", free hook " + (frees ? "found" : "missing") + ")");
            return false;
        }
        return true;
    }

    /**
     * Loads the choke point's class (and nested classes) without initialising them, and adds
     * those the transformer covers to {@code targets} (no walk over every loaded class: that
     * cost the start-up a {@code getName()} of each of ~900 classes).
     */
    private boolean preload(ChokePoint chokePoint, List<Class<?>> targets) {
        try {
            Class<?> target = Class.forName(chokePoint.className().replace('/', '.'), false, null);
            Class<?>[] classes = chokePoint.nestedToo() ? target.getNestMembers() : new Class<?>[] {target};
            for (Class<?> member : classes) {
                if (chokePoint.covers(member.getName().replace('.', '/')) && inst.isModifiableClass(member)
                        && !targets.contains(member)) {
                    targets.add(member);
                }
            }
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
