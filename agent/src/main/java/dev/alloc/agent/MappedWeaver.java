package dev.alloc.agent;

import dev.alloc.agent.transform.MappedFileTransformer;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;

/**
 * Weaves the {@code mapped} kind's choke points (see {@link MappedFileTransformer}) and says
 * whether they all took: a JDK whose file channel differs gets one warning and no {@code mapped}
 * tracking. Every target class is loaded first, so none is defined while another is woven.
 */
final class MappedWeaver {
    private final Instrumentation inst;

    MappedWeaver(Instrumentation inst) {
        this.inst = inst;
    }

    boolean weave() {
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
        MappedFileTransformer transformer = new MappedFileTransformer();
        inst.addTransformer(transformer, true);
        try {
            inst.retransformClasses(targets.toArray(new Class<?>[0]));
        } catch (Throwable e) {
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
