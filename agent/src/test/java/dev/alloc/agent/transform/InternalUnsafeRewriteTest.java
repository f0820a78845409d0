package dev.alloc.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.alloc.runtime.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Calls straight to {@code jdk.internal.misc.Unsafe} (Agrona 2.x) become the choke points' hooks
 * in every mode: framed with a site id normally, unframed under {@code site.skip} and with
 * {@code sites=off}; the free is never framed (issue 13). End to end with Agrona: UnsafeMemoryTest.
 */
class InternalUnsafeRewriteTest {
    private static final String UNSAFE = "jdk/internal/misc/Unsafe";

    /** A library class as Agrona's UnsafeApi is: static methods calling the internal Unsafe held in a field. */
    private static byte[] library(String name) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, name, null, "java/lang/Object", null);
        writer.visitField(Opcodes.ACC_STATIC, "U", "L" + UNSAFE + ";", null, null).visitEnd();
        call(writer, "allocate", "(J)J", "allocateMemory", Opcodes.LRETURN, Opcodes.LLOAD);
        call(writer, "free", "(J)V", "freeMemory", Opcodes.RETURN, Opcodes.LLOAD);
        MethodVisitor m = writer.visitMethod(Opcodes.ACC_STATIC, "grow", "(JJ)J", null, null);
        m.visitCode();
        m.visitFieldInsn(Opcodes.GETSTATIC, name, "U", "L" + UNSAFE + ";");
        m.visitVarInsn(Opcodes.LLOAD, 0);
        m.visitVarInsn(Opcodes.LLOAD, 2);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE, "reallocateMemory", "(JJ)J", false);
        m.visitInsn(Opcodes.LRETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    private static void call(ClassWriter writer, String method, String desc, String unsafeMethod, int ret, int load) {
        MethodVisitor m = writer.visitMethod(Opcodes.ACC_STATIC, method, desc, null, null);
        m.visitCode();
        m.visitFieldInsn(Opcodes.GETSTATIC, "lib/Api", "U", "L" + UNSAFE + ";");
        m.visitVarInsn(load, 0);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNSAFE, unsafeMethod, desc, false);
        m.visitInsn(ret);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    /** The calls of each method, as {@code owner.name}, in order. */
    private static List<String> calls(byte[] bytes) {
        List<String> calls = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String d, String s, String[] e) {
                calls.add(name + ":");
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        calls.add(owner.substring(owner.lastIndexOf('/') + 1) + "." + method + desc);
                    }
                };
            }
        }, 0);
        return calls;
    }

    private static byte[] transform(boolean sites, String... skip) {
        CallSiteTransformer transformer = new CallSiteTransformer(InterceptedCall.forKinds(Kind.ALL, false), sites, skip,
                module -> { });
        return transformer.transform(null, InternalUnsafeRewriteTest.class.getClassLoader(), "lib/Api", null, null,
                library("lib/Api"));
    }

    /** Framed: prime, the hook, unprime, and the unprime of the handler for a throw. */
    @Test
    void namedSitesFrameTheAllocationsAndReplaceEveryCall() {
        // allocateMemory's hook takes the site itself: only the handler un-primes, after a throw
        assertEquals(List.of("allocate:", "SiteContext.prime(I)V", "JdkHooks.unsafeAllocate(Ljava/lang/Object;J)J",
                "SiteContext.unprime()V", "free:", "JdkHooks.unsafeFree(Ljava/lang/Object;J)V",
                "grow:", "SiteContext.prime(I)V", "JdkHooks.unsafeReallocate(Ljava/lang/Object;JJ)J",
                "SiteContext.unprime()V", "SiteContext.unprime()V"),
                calls(transform(true)));
    }

    @Test
    void skippedPackagesAndSitesOffStillReplaceTheCalls() {
        List<String> replacedOnly = List.of("allocate:", "JdkHooks.unsafeAllocate(Ljava/lang/Object;J)J",
                "free:", "JdkHooks.unsafeFree(Ljava/lang/Object;J)V", "grow:", "JdkHooks.unsafeReallocate(Ljava/lang/Object;JJ)J");
        assertEquals(replacedOnly, calls(transform(true, "lib.")));
        assertEquals(replacedOnly, calls(transform(false)));
    }

    @Test
    void withoutUnsafeTrackedNothingChanges() {
        CallSiteTransformer transformer = new CallSiteTransformer(InterceptedCall.forKinds(1 << Kind.DIRECT, false), false,
                new String[0], module -> { });
        assertNull(transformer.transform(null, getClass().getClassLoader(), "lib/Api", null, null, library("lib/Api")));
    }
}
