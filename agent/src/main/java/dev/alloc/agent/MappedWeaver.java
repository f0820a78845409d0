package dev.alloc.agent;

import dev.alloc.agent.transform.MappedFileTransformer;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Weaves the {@code mapped} kind's choke points (see {@link MappedFileTransformer}) and says
 * whether they all took: a JDK whose file channel differs gets one warning and no {@code mapped}
 * tracking. At start, when {@code FileChannelImpl} is not loaded yet (a program that never opens
 * a file channel never loads it, nor its ~25 supertypes and helpers), its classes are woven at
 * their first load, each checked then (one warning at the first mapping on such a JDK); otherwise
 * every target class is loaded first, so none is defined while another is woven, and retransformed.
 */
final class MappedWeaver {
    private final Instrumentation inst;

    MappedWeaver(Instrumentation inst) {
        this.inst = inst;
    }

    boolean weave(boolean atStart) {
        MappedFileTransformer transformer = new MappedFileTransformer();
        if (atStart) {
            transformer.checkEachClass();
            inst.addTransformer(transformer, true); // before looking: a class loaded from now on passes it
            if (LoadedBootClasses.find(inst, MappedFileTransformer.CHANNEL).isEmpty()) {
                return true;
            }
            inst.removeTransformer(transformer);
            transformer = new MappedFileTransformer();
        }
        List<Class<?>> targets = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(MappedFileTransformer.CHANNEL, MappedFileTransformer.UNMAPPER));
        names.addAll(List.of(MappedFileTransformer.UNMAPPER_SUBCLASSES));
        for (String name : names) {
            try {
                targets.add(Class.forName(name.replace('/', '.'), false, null));
            } catch (Throwable e) {
                Log.warn("this JDK has no " + name.replace('/', '.') + " (" + e + "); mapped memory is not tracked");
                return false;
            }
        }
        inst.addTransformer(transformer, true);
        try {
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
        } catch (Throwable e) {
            inst.removeTransformer(transformer);
            Log.warn("cannot instrument the file channel (" + e + "); mapped memory is not tracked");
            return false;
        }
        if (!transformer.wovenCompletely()) {
            Log.warn("this JDK's file mappings differ from what the agent knows; mapped memory is not tracked");
            return false;
        }
        return true;
    }
}
