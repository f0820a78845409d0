package dev.alloc.agent.transform;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites the JDK's choke points: each {@code INVOKEVIRTUAL jdk/internal/misc/Unsafe.X} becomes
 * {@code INVOKESTATIC dev/alloc/runtime/JdkHooks.hook(Object, ...)}, which takes the same operand
 * stack (the receiver becomes an ignored {@code Object} argument). Nothing else in the method
 * changes, so no stack map frame changes and no class hierarchy is loaded while transforming.
 *
 * <p>The calls are patched in place ({@link UnsafeCallPatcher}); ASM does it for a class file the
 * patcher does not understand. It records how many calls it replaced per class, so the installer can check that every
 * kind's allocation and free were both found and otherwise turn that kind off with a warning.
 */
public final class ChokePointTransformer implements ClassFileTransformer {
    static final String UNSAFE = "jdk/internal/misc/Unsafe";
    static final String HOOKS = "dev/alloc/runtime/JdkHooks";

    private final List<ChokePoint> chokePoints;
    private final Map<String, String> replaced = new ConcurrentHashMap<>();

    public ChokePointTransformer(List<ChokePoint> chokePoints) {
        this.chokePoints = chokePoints;
    }

    /** The hooks woven into a class at its last transformation, e.g. {@code "directAllocate directFree "}. */
    public String hooksWovenInto(String internalName) {
        return replaced.getOrDefault(internalName, "");
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader != null || className == null) {
            return null;
        }
        for (ChokePoint chokePoint : chokePoints) {
            if (chokePoint.covers(className)) {
                try {
                    UnsafeCallPatcher.Patched patched = UnsafeCallPatcher.patch(chokePoint, classfileBuffer);
                    replaced.put(className, patched.hooks());
                    return patched.bytes();
                } catch (RuntimeException unexpectedLayout) {
                    // fall through to ASM, which reads any valid class file
                }
                try {
                    return rewrite(chokePoint, className, classfileBuffer);
                } catch (Throwable e) {
                    replaced.put(className, "failed: " + e);
                    return null;
                }
            }
        }
        return null;
    }

    /** The same rewrite with ASM: the fallback, and the reference the patcher is tested against. */
    byte[] rewrite(ChokePoint chokePoint, String className, byte[] bytes) {
        StringBuilder woven = new StringBuilder();
        byte[] rewritten = AsmRewrite.rewrite(chokePoint, bytes, woven);
        replaced.put(className, woven.toString());
        return rewritten;
    }

    /** A class of its own, so that verifying the transformer loads no ASM class. */
    private static final class AsmRewrite {
        private AsmRewrite() {
        }

        static byte[] rewrite(ChokePoint chokePoint, byte[] bytes, StringBuilder woven) {
            byte[] rewritten = AsmMethods.rewrite(bytes, new AsmMethods.Rewrite() {
                @Override
                public MethodVisitor method(int access, String name, String descriptor, MethodVisitor next) {
                    return new MethodVisitor(Opcodes.ASM9, next) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                            String hook = opcode == Opcodes.INVOKEVIRTUAL && owner.equals(UNSAFE)
                                    ? chokePoint.hookFor(method) : null;
                            if (hook == null) {
                                super.visitMethodInsn(opcode, owner, method, desc, itf);
                                return;
                            }
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, hook,
                                    "(Ljava/lang/Object;" + desc.substring(1), false);
                            woven.append(hook).append(' ');
                        }
                    };
                }
            });
            return woven.length() == 0 ? null : rewritten;
        }
    }
}
