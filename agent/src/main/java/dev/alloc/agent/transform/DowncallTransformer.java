package dev.alloc.agent.transform;

import dev.alloc.runtime.report.Log;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The choke point of kind {@code malloc}: FFM's {@code AbstractLinker.downcallHandle(MemorySegment,
 * FunctionDescriptor, Option...)}, the one method every bound downcall handle comes from. Before
 * each {@code ARETURN} of it, the returned handle goes through
 * {@code dev.alloc.runtime.MallocDowncalls.wrap(handle, symbol)}, which swaps in a counting
 * adapter when the symbol is one of libc's allocation functions:
 * <pre>
 *   ... handle            -> ... handle symbol -> ... wrap(handle, symbol)
 * </pre>
 * One more stack slot, no new locals, no change to any frame's contents. The code is inserted in
 * place ({@link CodeInserter}); ASM does it for a class file the inserter does not understand.
 */
public final class DowncallTransformer implements ClassFileTransformer {
    public static final String LINKER = "jdk/internal/foreign/abi/AbstractLinker";
    private static final String METHOD = "downcallHandle";
    private static final String DESCRIPTOR = "(Ljava/lang/foreign/MemorySegment;Ljava/lang/foreign/FunctionDescriptor;"
            + "[Ljava/lang/foreign/Linker$Option;)Ljava/lang/invoke/MethodHandle;";
    private static final String WRAPPER = "dev/alloc/runtime/MallocDowncalls";
    private static final String WRAP = "wrap";
    private static final String WRAP_DESCRIPTOR =
            "(Ljava/lang/invoke/MethodHandle;Ljava/lang/Object;)Ljava/lang/invoke/MethodHandle;";

    private volatile int wovenReturns;
    private volatile boolean warnIfNotWoven;
    private final Runnable beforeWovenCodeRuns;

    /**
     * @param beforeWovenCodeRuns run once the linker is woven, before its class is defined (so
     *                            before the woven code can run): what the runtime's adapters need
     *                            from the JDK; null for nothing
     */
    public DowncallTransformer(Runnable beforeWovenCodeRuns) {
        this.beforeWovenCodeRuns = beforeWovenCodeRuns;
    }

    /** For a linker woven at its first load, after the installer's check: one warning if the method is not found. */
    public void warnIfNotWoven() {
        warnIfNotWoven = true;
    }

    /** How many returns were rewritten at the last transformation (0: the method was not found). */
    public int wovenReturns() {
        return wovenReturns;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader != null || !LINKER.equals(className)) {
            return null;
        }
        byte[] rewritten = weave(classfileBuffer);
        if (wovenReturns == 0 && warnIfNotWoven) {
            Log.warn("this JDK's FFM linker differs from what the agent knows; malloc memory is not tracked");
        }
        if (wovenReturns > 0 && beforeWovenCodeRuns != null) {
            beforeWovenCodeRuns.run();
        }
        return rewritten;
    }

    private byte[] weave(byte[] classfileBuffer) {
        try {
            return insert(classfileBuffer);
        } catch (RuntimeException unexpectedLayout) {
            // fall through to ASM, which reads any valid class file
        }
        try {
            int[] woven = {0};
            AsmLoading.beforeFirstUse();
            byte[] rewritten = AsmRewrite.rewrite(classfileBuffer, woven);
            wovenReturns = woven[0];
            return rewritten;
        } catch (Throwable e) {
            wovenReturns = 0;
            return null;
        }
    }

    private byte[] insert(byte[] bytes) {
        int[] woven = {0};
        byte[] rewritten = CodeInserter.insert(bytes, new CodeInserter.Edits() {
            @Override
            public CodeInserter.MethodEdits forMethod(String name, String descriptor, int access) {
                if (!METHOD.equals(name) || !DESCRIPTOR.equals(descriptor) || (access & Opcodes.ACC_STATIC) != 0) {
                    return null;
                }
                return new CodeInserter.MethodEdits() {
                    @Override
                    CodeInserter.Snippet beforeInstruction(int opcode) {
                        if (opcode != Opcodes.ARETURN) {
                            return null;
                        }
                        woven[0]++;
                        return new CodeInserter.Snippet().load(Opcodes.ALOAD, 1)
                                .call(Opcodes.INVOKESTATIC, WRAPPER, WRAP, WRAP_DESCRIPTOR);
                    }
                };
            }
        }, 1);
        wovenReturns = woven[0];
        return rewritten;
    }

    /**
     * The same rewrite with ASM: the fallback, and the reference the inserter is tested against.
     * A class of its own, so that verifying the transformer loads no ASM class.
     */
    static final class AsmRewrite {
        private AsmRewrite() {
        }

        static byte[] rewrite(byte[] bytes, int[] woven) {
            byte[] rewritten = AsmMethods.rewrite(bytes, new AsmMethods.Rewrite() {
                @Override
                public MethodVisitor method(int access, String name, String descriptor, MethodVisitor next) {
                    if (!METHOD.equals(name) || !DESCRIPTOR.equals(descriptor) || (access & Opcodes.ACC_STATIC) != 0) {
                        return next;
                    }
                    return new MethodVisitor(Opcodes.ASM9, next) {
                        @Override
                        public void visitInsn(int opcode) {
                            if (opcode == Opcodes.ARETURN) {
                                super.visitVarInsn(Opcodes.ALOAD, 1);
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, WRAPPER, WRAP, WRAP_DESCRIPTOR, false);
                                woven[0]++;
                            }
                            super.visitInsn(opcode);
                        }

                        @Override
                        public void visitMaxs(int maxStack, int maxLocals) {
                            super.visitMaxs(maxStack + 1, maxLocals);
                        }
                    };
                }
            });
            return woven[0] == 0 ? null : rewritten;
        }
    }
}
