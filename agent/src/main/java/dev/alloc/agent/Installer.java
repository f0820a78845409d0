package dev.alloc.agent;

import dev.alloc.agent.limit.AutoLimit;
import dev.alloc.agent.limit.ContainerMemory;
import dev.alloc.agent.options.OptionError;
import dev.alloc.agent.options.OptionParser;
import dev.alloc.agent.transform.AsmLoading;
import dev.alloc.agent.transform.CallSiteTransformer;
import dev.alloc.agent.transform.InterceptedCall;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.Settings;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Installs the agent once the runtime is in the bootstrap loader: options, JDK access, the
 * choke points of each kind (checked: a kind whose allocation or free was not found on this JDK
 * is turned off with a warning), then the runtime, then the call-site transformer.
 */
final class Installer {
    private static boolean started;

    private Installer() {
    }

    /** Whether the agent started in this JVM (with options it accepted). */
    static synchronized boolean isStarted() {
        return started;
    }

    static synchronized void start(String agentArgs, Instrumentation inst, boolean attached) throws Exception {
        Settings settings;
        List<String> warnings = new ArrayList<>();
        try {
            settings = OptionParser.parse(agentArgs, System.getProperties(), new Consumer<String>() {
                @Override
                public void accept(String warning) { // not a lambda: none on the start-up path
                    warnings.add(warning);
                }
            });
        } catch (OptionError e) {
            System.err.println("alloc: " + e.getMessage());
            System.err.flush();
            if (!attached) {
                System.exit(1); // a bad option must stop the JVM at start: see DESIGN.md
            }
            AttachState.set("error: " + e.getMessage()); // attached: the target keeps running untracked
            return;
        }
        if (started) {
            Log.warn("the agent is already running in this JVM; ignoring the new options");
            AttachState.set("already running: " + AttachState.startLine() + " (new options ignored)");
            return;
        }
        started = true;
        Log.setLevel(settings.log);
        for (String warning : warnings) {
            Log.info(warning);
        }
        String limitDerivation = null;
        if (settings.limitAuto) {
            AutoLimit.Derived derived = AutoLimit.derive(ContainerMemory.ofThisProcess().read(),
                    Runtime.getRuntime().maxMemory(), settings.headroomPercent);
            settings = settings.withDerivedLimit(derived.limit());
            limitDerivation = derived.how();
        }
        Module runtime = OffHeap.class.getModule();
        JdkAccess.exportInternalMiscTo(inst, runtime);
        JdkAccess.letJdkRead(inst, runtime);
        if (!settings.strategy.equals("system")) {
            JdkAccess.openForeignLinkerTo(inst, runtime);
            BootstrapInjector.injectPackage(RuntimeJar.POOL_PACKAGE); // not defined at start: see RuntimeJar
        }

        AsmLoading.setBeforeFirstUse(new Runnable() { // not a lambda: none on the start-up path
            @Override
            public void run() {
                BootstrapInjector.injectShadedAsm();
            }
        });
        int available = KindSupport.availableKinds();
        int mallocBit = 1 << Kind.MALLOC;
        int mappedBit = 1 << Kind.MAPPED;
        int woven = new ChokePointWeaver(inst).weave(settings.trackMask & available & ~mallocBit & ~mappedBit, !attached);
        if ((settings.trackMask & available & mallocBit) != 0) {
            woven |= new MallocWeaver(inst, runtime).weave(!attached) ? mallocBit : 0;
        }
        if ((settings.trackMask & available & mappedBit) != 0) {
            woven |= new MappedWeaver(inst).weave(!attached) ? mappedBit : 0;
        }
        Settings effective = settings.withTrackMask(settings.trackMask & woven);
        boolean jfrDeferred = SubsystemHooks.deferJfr(effective.jfr != null);
        OffHeap.install(effective);
        Consumer<Module> readsRuntime = new Consumer<Module>() { // not a lambda: none on the start-up path
            @Override
            public void accept(Module module) {
                inst.redefineModule(module, Set.of(runtime), Map.of(), Map.of(), Set.of(), Map.of());
            }
        };
        SubsystemHooks.install(inst, jfrDeferred, readsRuntime);

        CallSiteTransformer callSites = new CallSiteTransformer(
                InterceptedCall.forKinds(effective.trackMask, KindSupport.hasFfm()), effective.sites,
                effective.sites ? effective.skipPrefixes() : new String[0], readsRuntime);
        String rewritten = "";
        if (callSites.rewritesAnything()) {
            inst.addTransformer(callSites, true);
            if (attached) {
                rewritten = "; attached: " + new LoadedClassRewriter(inst).retransformApplicationClasses();
            }
        }
        String line = StartupLine.describe(effective, settings.trackMask, available, limitDerivation) + rewritten;
        Log.info(line);
        if (attached) {
            Log.info("attached to a running JVM: allocations made before now are not known (not counted, not limited)");
        }
        if (effective.jfr != null) {
            AgentRecording.start(effective.jfr);
        }
        AttachState.started(line);
    }
}
