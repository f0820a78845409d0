package dev.alloc.agent.transform;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.function.Consumer;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Lets the agent's JMX and Flight Recorder sides start when the JDK starts those subsystems for
 * any reason, instead of the agent starting them (and loading their hundreds of classes) in
 * every JVM:
 * <ul>
 *   <li>{@code ManagementFactory.getPlatformMBeanServer()}: before each {@code ARETURN},
 *       {@code DUP; INVOKESTATIC JmxRegistration.platformServerReady(Object)} — the bean is
 *       registered before the first caller gets the server (one more stack slot);</li>
 *   <li>{@code FlightRecorder.getFlightRecorder()}: at its start,
 *       {@code INVOKESTATIC FlightEvents.recorderStarting()} — the listener is added before the
 *       recorder initialises (no stack change).</li>
 * </ul>
 * No local or frame changes. The JDK module of the class is made to read the runtime's module
 * before the woven class is defined.
 */
public final class SubsystemHookTransformer implements ClassFileTransformer {
    public static final String MANAGEMENT_FACTORY = "java/lang/management/ManagementFactory";
    public static final String FLIGHT_RECORDER = "jdk/jfr/FlightRecorder";
    private static final String JMX_HOOK = "dev/alloc/runtime/jmx/JmxRegistration";
    private static final String JFR_HOOK = "dev/alloc/runtime/FlightEvents";
    /** The runtime's JMX side, defined when the MBean server class is woven. */
    public static final String JMX_CLASSES = "dev/alloc/runtime/jmx/";
    /** The runtime's Flight Recorder side, defined when the recorder class is woven. */
    public static final String JFR_CLASSES = "dev/alloc/runtime/jfr/";

    private final boolean jmx;
    private final boolean jfr;
    private final Consumer<Module> moduleReader;
    private final Consumer<String> packageDefiner;
    private volatile String lastWoven = "";

    /**
     * @param jmx            weave the MBean server hook
     * @param jfr            weave the Flight Recorder hook
     * @param moduleReader   makes a JDK module read the runtime's module
     * @param packageDefiner defines the runtime's classes of a package ({@link #JMX_CLASSES},
     *                       {@link #JFR_CLASSES}) before the woven class can call them
     */
    public SubsystemHookTransformer(boolean jmx, boolean jfr, Consumer<Module> moduleReader,
                                    Consumer<String> packageDefiner) {
        this.jmx = jmx;
        this.jfr = jfr;
        this.moduleReader = moduleReader;
        this.packageDefiner = packageDefiner;
    }

    /** The internal name of the last class a hook was woven into, for tests and the debug log. */
    public String lastWoven() {
        return lastWoven;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader != null || className == null) {
            return null;
        }
        boolean server = jmx && className.equals(MANAGEMENT_FACTORY);
        boolean recorder = jfr && className.equals(FLIGHT_RECORDER);
        if (!server && !recorder) {
            return null;
        }
        try {
            byte[] rewritten = server
                    ? weave(classfileBuffer, "getPlatformMBeanServer", "()Ljavax/management/MBeanServer;", true)
                    : weave(classfileBuffer, "getFlightRecorder", "()Ljdk/jfr/FlightRecorder;", false);
            if (rewritten != null) {
                packageDefiner.accept(server ? JMX_CLASSES : JFR_CLASSES);
                if (module != null && module.isNamed()) {
                    moduleReader.accept(module);
                }
                lastWoven = className;
            }
            return rewritten;
        } catch (Throwable e) {
            return null; // the JDK differs: that subsystem starts without the agent's side
        }
    }

    /** Inserts the hook in place ({@link CodeInserter}); ASM does it for a class file the inserter does not understand. */
    private static byte[] weave(byte[] bytes, String method, String descriptor, boolean beforeReturns) {
        try {
            return insert(bytes, method, descriptor, beforeReturns);
        } catch (RuntimeException unexpectedLayout) {
            AsmLoading.beforeFirstUse();
            return AsmRewrite.weave(bytes, method, descriptor, beforeReturns);
        }
    }

    static byte[] insert(byte[] bytes, String method, String descriptor, boolean beforeReturns) {
        return CodeInserter.insert(bytes, new CodeInserter.Edits() {
            @Override
            public CodeInserter.MethodEdits forMethod(String name, String desc, int access) {
                if (!method.equals(name) || !descriptor.equals(desc) || (access & Opcodes.ACC_STATIC) == 0) {
                    return null;
                }
                return new CodeInserter.MethodEdits() {
                    @Override
                    CodeInserter.Snippet atEntry() {
                        return beforeReturns ? null
                                : new CodeInserter.Snippet().call(Opcodes.INVOKESTATIC, JFR_HOOK, "recorderStarting", "()V");
                    }

                    @Override
                    CodeInserter.Snippet beforeInstruction(int opcode) {
                        return !beforeReturns || opcode != Opcodes.ARETURN ? null
                                : new CodeInserter.Snippet().insn(Opcodes.DUP).call(Opcodes.INVOKESTATIC, JMX_HOOK,
                                        "platformServerReady", "(Ljava/lang/Object;)V");
                    }
                };
            }
        }, beforeReturns ? 1 : 0);
    }

    /**
     * The same rewrite with ASM: the fallback, and the reference the inserter is tested against.
     * A class of its own, so that verifying the transformer loads no ASM class.
     */
    static final class AsmRewrite {
        private AsmRewrite() {
        }

        static byte[] weave(byte[] bytes, String method, String descriptor, boolean beforeReturns) {
            boolean[] woven = {false};
            byte[] rewritten = AsmMethods.rewrite(bytes, new AsmMethods.Rewrite() {
                @Override
                public MethodVisitor method(int access, String name, String desc, MethodVisitor next) {
                    if (!method.equals(name) || !descriptor.equals(desc) || (access & Opcodes.ACC_STATIC) == 0) {
                        return next;
                    }
                    return new MethodVisitor(Opcodes.ASM9, next) {
                        @Override
                        public void visitCode() {
                            super.visitCode();
                            if (!beforeReturns) {
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, JFR_HOOK, "recorderStarting", "()V", false);
                                woven[0] = true;
                            }
                        }

                        @Override
                        public void visitInsn(int opcode) {
                            if (beforeReturns && opcode == Opcodes.ARETURN) {
                                super.visitInsn(Opcodes.DUP);
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, JMX_HOOK, "platformServerReady",
                                        "(Ljava/lang/Object;)V", false);
                                woven[0] = true;
                            }
                            super.visitInsn(opcode);
                        }

                        @Override
                        public void visitMaxs(int maxStack, int maxLocals) {
                            super.visitMaxs(beforeReturns ? maxStack + 1 : maxStack, maxLocals);
                        }
                    };
                }
            });
            return woven[0] ? rewritten : null;
        }
    }
}
