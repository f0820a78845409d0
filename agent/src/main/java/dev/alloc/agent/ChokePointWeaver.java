package dev.alloc.agent;

import dev.alloc.agent.transform.ChokePoint;
import dev.alloc.agent.transform.ChokePointTransformer;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Weaves the choke points of the requested kinds into the JDK and reports which kinds are
 * really covered: both an allocation and a free hook must have been woven, or the kind is
 * turned off with one warning (a JDK whose internals differ degrades, never crashes).
 *
 * <p>Every target class is loaded before the transformer is installed: a class loaded while
 * another is being retransformed can be missed, and a missed free is fatal once pools exist.
 */
final class ChokePointWeaver {
    private final Instrumentation inst;

    ChokePointWeaver(Instrumentation inst) {
        this.inst = inst;
    }

    /** Returns the mask of kinds whose choke points are fully woven. */
    int weave(int requestedKinds) {
        List<ChokePoint> chokePoints = new ArrayList<>();
        List<Class<?>> targets = new ArrayList<>();
        for (ChokePoint chokePoint : ChokePoint.all()) {
            if ((requestedKinds & (1 << chokePoint.kind())) != 0 && preload(chokePoint, targets)) {
                chokePoints.add(chokePoint);
            }
        }
        if (chokePoints.isEmpty()) {
            return 0;
        }
        ChokePointTransformer transformer = new ChokePointTransformer(chokePoints);
        inst.addTransformer(transformer, true);
        try {
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
        } catch (Throwable e) {
            Log.warn("cannot instrument the JDK (" + e + "); off-heap memory is not tracked");
            return 0;
        }
        int woven = 0;
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            if ((requestedKinds & (1 << kind)) != 0 && covered(transformer, chokePoints, targets, kind)) {
                woven |= 1 << kind;
            }
        }
        return woven;
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
