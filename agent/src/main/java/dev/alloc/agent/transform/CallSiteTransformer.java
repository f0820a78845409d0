package dev.alloc.agent.transform;

import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.Prefixes;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.function.Consumer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites calls to the intercepted JDK APIs in application and library classes, as they load
 * through any class loader (including the source launcher's, and lambdas' host classes): the
 * call is framed by {@code SiteContext.prime(<constant site id>)} and {@code SiteContext.unprime()},
 * so that the JDK choke point below reads the site from the thread's context instead of walking
 * the stack. The site is registered now, named as a stack trace names the frame:
 * {@code com.example.Cache.grow(Cache.java:42)}.
 *
 * <p>The JDK call itself stays where it was, in the application's class: caller-sensitive
 * checks (JDK 24+'s {@code sun.misc.Unsafe} warnings name the caller) still see the real caller.
 * The operand stack is unchanged around the call; a handler un-primes the site when the call
 * throws (see {@link SiteFraming}), so no later allocation on the thread borrows its name.
 *
 * <p>Calls straight to {@code jdk.internal.misc.Unsafe}'s memory methods (Agrona 2.x's
 * {@code UnsafeApi}) reach no choke point: they are replaced by the choke points' own hooks (see
 * {@link InterceptedCall}), in every class outside the JDK and the agent, also under a
 * {@code site.skip} prefix and with {@code sites=off}, where they are the only rewrite.
 *
 * <p>JDK classes and the agent's own are left alone; classes under a {@code site.skip} prefix
 * get no site ids (allocations from them are named by a stack walk, past the skipped frames). A
 * class whose constant pool names no intercepted call is returned untouched after one scan of
 * that pool.
 */
public final class CallSiteTransformer implements ClassFileTransformer {
    private static final String[] NEVER = {"java/", "javax/", "jdk/", "sun/", "com/sun/", "dev/alloc/runtime/", "dev/alloc/agent/"};

    private static final String HOOKS = "dev/alloc/runtime/JdkHooks";

    /** What a class gets: every call framed with its site, or only the replaced calls, unnamed. */
    private static final class Mode {
        final List<InterceptedCall> calls;
        final ConstantPoolScan scan;
        final boolean namesSites;

        Mode(List<InterceptedCall> calls, boolean namesSites) {
            this.calls = calls;
            this.scan = new ConstantPoolScan(calls);
            this.namesSites = namesSites;
        }
    }

    private final Mode named;
    private final Mode replacedOnly;
    private final String[] skipPrefixes;
    private final Consumer<Module> moduleReader;

    /**
     * @param namesSites    frame calls with constant site ids ({@code sites=on}); otherwise only
     *                      the calls that must be replaced to be counted at all are rewritten
     * @param skipPackages  {@code site.skip} package prefixes, dotted: their classes get only the
     *                      replaced calls, and their allocations are named by a stack walk
     * @param moduleReader  makes a named module read the runtime's module before it is rewritten
     */
    public CallSiteTransformer(List<InterceptedCall> calls, boolean namesSites, String[] skipPackages,
                               Consumer<Module> moduleReader) {
        this.replacedOnly = new Mode(InterceptedCall.replacedOnly(calls), false);
        this.named = namesSites ? new Mode(calls, true) : replacedOnly;
        this.skipPrefixes = new String[skipPackages.length];
        for (int i = 0; i < skipPackages.length; i++) {
            skipPrefixes[i] = skipPackages[i].replace('.', '/');
        }
        this.moduleReader = moduleReader;
    }

    /** Whether this transformer has anything to rewrite (else it need not be installed). */
    public boolean rewritesAnything() {
        return !named.calls.isEmpty();
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (!mayRewrite(loader, className)) {
            return null;
        }
        Mode mode = Prefixes.startsWithAny(className, skipPrefixes) ? replacedOnly : named;
        if (mode.calls.isEmpty()) {
            return null;
        }
        try {
            if (!mode.scan.mentionsACall(classfileBuffer)) {
                return null;
            }
            AsmLoading.beforeFirstUse();
            byte[] rewritten = AsmRewrite.rewrite(classfileBuffer, mode);
            if (rewritten != null && module != null && module.isNamed()) {
                moduleReader.accept(module);
            }
            return rewritten;
        } catch (Throwable e) {
            Log.debug("left " + className + " unchanged: " + e);
            return null;
        }
    }

    /** False for classes this transformer never rewrites: the JDK's and the agent's own. */
    public static boolean mayRewrite(ClassLoader loader, String internalName) {
        return loader != null && loader != ClassLoader.getPlatformClassLoader() && internalName != null
                && !Prefixes.startsWithAny(internalName, NEVER);
    }

    /** The rewrite, in a class of its own so that verifying the transformer loads no ASM class. */
    private static final class AsmRewrite {
        private AsmRewrite() {
        }

        static byte[] rewrite(byte[] classfileBuffer, Mode mode) {
            ClassReader reader = new ClassReader(classfileBuffer);
            ClassWriter writer = new ClassWriter(reader, 0);
            boolean stackMapFrames = reader.readUnsignedShort(6) >= Opcodes.V1_6;
            String dottedName = reader.getClassName().replace('/', '.');
            boolean[] changed = {false};
            boolean[] calling = mode.scan.methodsCalling(classfileBuffer);
            int[] methods = {0};
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                private String sourceFile;

                @Override
                public void visitSource(String source, String debug) {
                    sourceFile = source;
                    super.visitSource(source, debug);
                }

                @Override
                public MethodVisitor visitMethod(int access, String methodName, String descriptor, String signature,
                                                 String[] exceptions) {
                    MethodVisitor next = super.visitMethod(access, methodName, descriptor, signature, exceptions);
                    if (calling != null && !calling[methods[0]++]) {
                        return next; // no intercepted call: the writer itself, so ASM copies the method's bytes
                    }
                    return new SiteFraming(next, mode.namesSites, stackMapFrames, methodName.equals("<init>")) {
                        private int line = -1;
                        private boolean rewroteHere;

                        @Override
                        public void visitLineNumber(int lineNumber, Label start) {
                            line = lineNumber;
                            super.visitLineNumber(lineNumber, start);
                        }

                        @Override
                        public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
                            InterceptedCall call = opcode == Opcodes.INVOKESPECIAL ? null : find(mode.calls, owner, name);
                            if (call == null || call.hook() != null && !call.replaces(opcode, desc)) {
                                super.visitMethodInsn(opcode, owner, name, desc, itf);
                                return;
                            }
                            boolean framed = mode.namesSites && call.allocates();
                            if (framed) {
                                beginFramed(OffHeap.internSite(siteName(dottedName, methodName, sourceFile, line), call.kind()));
                                rewroteHere = true;
                            }
                            if (call.hook() != null) {
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, call.hook(),
                                        InterceptedCall.hookDescriptor(desc), false);
                            } else {
                                super.visitMethodInsn(opcode, owner, name, desc, itf);
                            }
                            if (framed) {
                                endFramed(call.siteConsumed());
                            }
                            changed[0] = true;
                        }

                        @Override
                        public void visitMaxs(int maxStack, int maxLocals) {
                            super.visitMaxs(rewroteHere ? maxStack + 1 : maxStack, maxLocals);
                        }
                    };
                }
            }, 0);
            return changed[0] ? writer.toByteArray() : null;
        }
    }

    private static InterceptedCall find(List<InterceptedCall> calls, String owner, String name) {
        for (InterceptedCall call : calls) {
            if (call.matches(owner, name)) {
                return call;
            }
        }
        return null;
    }

    /** The site's name as a stack trace shows the frame: {@code com.example.Cache.grow(Cache.java:42)}. */
    static String siteName(String className, String method, String sourceFile, int line) {
        String where = sourceFile == null ? "Unknown Source" : line >= 0 ? sourceFile + ":" + line : sourceFile;
        return className + "." + method + "(" + where + ")";
    }
}
