package dev.alloc.agent.transform;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.report.Log;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final Set<String> wholeOrNothing;
    private final Map<String, String> replaced = new ConcurrentHashMap<>();
    /** Classes this transformer saw at their first load (not a retransformation): nothing to retransform. */
    private final Map<String, Boolean> seenAtLoad = new ConcurrentHashMap<>();

    public ChokePointTransformer(List<ChokePoint> chokePoints) {
        this(chokePoints, Set.of());
    }

    /**
     * @param wholeOrNothing classes (internal names) rewritten only if every hook of their choke
     *                       point is found, else left as they are with one warning (none found:
     *                       silently, the JDK does not allocate there): the classes woven at their
     *                       first load, after the installer's check of the kinds
     */
    public ChokePointTransformer(List<ChokePoint> chokePoints, Set<String> wholeOrNothing) {
        this.chokePoints = chokePoints;
        this.wholeOrNothing = wholeOrNothing;
    }

    /** Whether the class passed this transformer when it was loaded (then it need not be retransformed). */
    public boolean sawLoad(String internalName) {
        return seenAtLoad.containsKey(internalName);
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
                if (classBeingRedefined == null) {
                    seenAtLoad.put(className, Boolean.TRUE);
                }
                try {
                    UnsafeCallPatcher.Patched patched = UnsafeCallPatcher.patch(chokePoint, classfileBuffer);
                    replaced.put(className, patched.hooks());
                    return whole(chokePoint, className, patched.hooks()) ? patched.bytes() : null;
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
        AsmLoading.beforeFirstUse();
        byte[] rewritten = AsmRewrite.rewrite(chokePoint, bytes, woven);
        replaced.put(className, woven.toString());
        return whole(chokePoint, className, woven.toString()) ? rewritten : null;
    }

    /** Whether a class may keep these hooks: all its choke point's, or any for a class checked by the installer. */
    private boolean whole(ChokePoint chokePoint, String className, String hooks) {
        if (!wholeOrNothing.contains(className) || hooks.isEmpty()) {
            return true;
        }
        for (String hook : new String[] {chokePoint.allocateHook(), chokePoint.reallocateHook(), chokePoint.freeHook()}) {
            if (hook != null && !hooks.contains(hook)) {
                replaced.put(className, ""); // left as it is: the installer's check finds nothing woven
                Log.warn("this JDK's " + className.replace('/', '.') + " differs from what the agent knows (" + hook
                        + " not found); its " + Kind.name(chokePoint.kind()) + " memory is not tracked");
                return false;
            }
        }
        return true;
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
