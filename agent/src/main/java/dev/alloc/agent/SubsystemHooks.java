package dev.alloc.agent;

import dev.alloc.agent.transform.SubsystemHookTransformer;
import dev.alloc.runtime.FlightEvents;
import dev.alloc.runtime.jmx.JmxRegistration;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Starts the agent's JMX and Flight Recorder sides only when the JDK starts those subsystems
 * (see {@link SubsystemHookTransformer}). A class that is already loaded (an agent attached to a
 * running JVM, or another agent that used it first) is retransformed, and that side starts now.
 */
final class SubsystemHooks {
    private static final String MANAGEMENT_FACTORY = "java/lang/management/ManagementFactory";
    private static final String FLIGHT_RECORDER = "jdk/jfr/FlightRecorder";

    private SubsystemHooks() {
    }

    /**
     * Call before {@code OffHeap.install}: whether the JFR side waits for the recorder.
     *
     * @param jfrNow the agent starts its own recording ({@code jfr=}): the JFR side is needed at once
     */
    static boolean deferJfr(boolean jfrNow) {
        if (!FlightEvents.jfrAvailable()) {
            return false;
        }
        if (!jfrNow) {
            FlightEvents.deferUntilRecorderStarts();
            return true;
        }
        BootstrapInjector.injectPackage(SubsystemHookTransformer.JFR_CLASSES);
        return false;
    }

    /** Call after {@code OffHeap.install}. */
    static void install(Instrumentation inst, boolean jfrDeferred, Consumer<Module> moduleReader) {
        boolean jmx = ModuleLayer.boot().findModule("java.management").isPresent();
        if (!jmx && !jfrDeferred) {
            return;
        }
        SubsystemHookTransformer transformer = new SubsystemHookTransformer(jmx, jfrDeferred, moduleReader,
                new Consumer<String>() {
                    @Override
                    public void accept(String packagePrefix) {
                        BootstrapInjector.injectPackage(packagePrefix);
                    }
                });
        inst.addTransformer(transformer, true);
        Map<String, Class<?>> loaded = LoadedBootClasses.find(inst, MANAGEMENT_FACTORY, FLIGHT_RECORDER);
        Class<?> managementFactory = jmx ? loaded.get(MANAGEMENT_FACTORY) : null;
        Class<?> flightRecorder = jfrDeferred ? loaded.get(FLIGHT_RECORDER) : null;
        if (flightRecorder != null) {
            BootstrapInjector.injectPackage(SubsystemHookTransformer.JFR_CLASSES);
            retransform(inst, flightRecorder);
            FlightEvents.install(); // the recorder may already run: its listener catches up at once
        }
        if (managementFactory != null) {
            BootstrapInjector.injectPackage(SubsystemHookTransformer.JMX_CLASSES);
            retransform(inst, managementFactory);
            JmxRegistration.registerInBackground(); // the server may already exist
        }
    }

    private static void retransform(Instrumentation inst, Class<?> target) {
        try {
            inst.retransformClasses(target);
        } catch (Throwable e) {
            Log.debug("cannot weave " + target.getName() + ": " + e);
        }
    }
}
