package dev.alloc.agent.transform;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * ASM's read, rewrite and write of one class whose methods a {@link Rewrite} may wrap: the ASM
 * fallbacks of the JDK weavers (their in-place patchers are the common path) share it. Only the
 * fallbacks name it, so nothing of ASM is loaded unless one runs.
 */
final class AsmMethods {
    /** Wraps a method's visitor, or returns {@code next} to leave the method alone. */
    interface Rewrite {
        MethodVisitor method(int access, String name, String descriptor, MethodVisitor next);
    }

    private AsmMethods() {
    }

    /** The class re-encoded with the rewrite applied (the caller knows whether anything changed). */
    static byte[] rewrite(byte[] bytes, Rewrite rewrite) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return rewrite.method(access, name, descriptor,
                        super.visitMethod(access, name, descriptor, signature, exceptions));
            }
        }, 0);
        return writer.toByteArray();
    }
}
