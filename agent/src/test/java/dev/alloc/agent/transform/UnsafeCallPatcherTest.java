package dev.alloc.agent.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.runtime.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The in-place patch of choke points gives the instructions ASM's rewrite gives, on this JDK's classes and on odd code. */
class UnsafeCallPatcherTest {
    private static final ChokePoint ALL_HOOKS = new ChokePoint("test/Calls", false, Kind.UNSAFE,
            "unsafeAllocate", "unsafeReallocate", "unsafeFree");

    @Test
    void patchesThisJdksChokePointsAsAsmDoes() throws IOException {
        int patchedClasses = 0;
        for (ChokePoint chokePoint : ChokePoint.all()) {
            for (String name : List.of(chokePoint.className(), chokePoint.className() + "$1", chokePoint.className() + "$2")) {
                byte[] original = bytesOf(name);
                if (original == null || !chokePoint.covers(name)) {
                    continue;
                }
                ChokePointTransformer transformer = new ChokePointTransformer(List.of(chokePoint));
                byte[] byAsm = transformer.rewrite(chokePoint, name, original);
                UnsafeCallPatcher.Patched patched = UnsafeCallPatcher.patch(chokePoint, original);
                assertEquals(transformer.hooksWovenInto(name), patched.hooks(), name);
                if (byAsm == null) {
                    assertNull(patched.bytes(), name);
                    continue;
                }
                assertEquals(calls(byAsm), calls(patched.bytes()), name);
                patchedClasses++;
            }
        }
        assertTrue(patchedClasses >= 3, "DirectByteBuffer, its Deallocator, sun.misc.Unsafe at least: " + patchedClasses);
    }

    @Test
    void walksSwitchesWideAndLongConstantsToTheCalls() {
        byte[] original = oddCode();
        ChokePointTransformer transformer = new ChokePointTransformer(List.of(ALL_HOOKS));
        byte[] byAsm = transformer.rewrite(ALL_HOOKS, "test/Calls", original);
        UnsafeCallPatcher.Patched patched = UnsafeCallPatcher.patch(ALL_HOOKS, original);
        assertEquals("unsafeAllocate unsafeFree unsafeAllocate ", patched.hooks());
        assertEquals(calls(byAsm), calls(patched.bytes()));
        assertEquals(List.of("m 184 dev/alloc/runtime/JdkHooks.unsafeAllocate(Ljava/lang/Object;J)J",
                "m 184 dev/alloc/runtime/JdkHooks.unsafeFree(Ljava/lang/Object;J)V",
                "m 184 dev/alloc/runtime/JdkHooks.unsafeAllocate(Ljava/lang/Object;J)J",
                "m 182 jdk/internal/misc/Unsafe.copyMemory(JJJ)V"), calls(patched.bytes()));
        // ASM reads and re-encodes the patched class without complaint.
        new ClassReader(patched.bytes()).accept(new ClassWriter(0), 0);
    }

    @Test
    void leavesClassesWithoutHookedCallsAloneAndRefusesWhatItCannotRead() {
        assertNull(UnsafeCallPatcher.patch(new ChokePoint("x", false, Kind.DIRECT, null, null, null), oddCode()).bytes());
        byte[] broken = oddCode();
        broken[10] = 99; // an unknown constant-pool tag
        assertThrows(IllegalArgumentException.class, () -> UnsafeCallPatcher.patch(ALL_HOOKS, broken));
    }

    /** A method with a tableswitch, a lookupswitch, a wide iinc and a long constant around the calls. */
    private static byte[] oddCode() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "test/Calls", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_STATIC, "run", "(Ljdk/internal/misc/Unsafe;I)J", null, null);
        mv.visitCode();
        Label a = new Label();
        Label b = new Label();
        Label end = new Label();
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitTableSwitchInsn(0, 2, end, a, b, end);
        mv.visitLabel(a);
        mv.visitIincInsn(300, 1000); // wide
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitLdcInsn(1_999_993L);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "jdk/internal/misc/Unsafe", "allocateMemory", "(J)J", false);
        mv.visitInsn(Opcodes.POP2);
        mv.visitLabel(b);
        mv.visitVarInsn(Opcodes.ILOAD, 1);
        mv.visitLookupSwitchInsn(end, new int[] {7, 1_000_003}, new Label[] {end, end});
        mv.visitLabel(end);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitLdcInsn(4_097L);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "jdk/internal/misc/Unsafe", "freeMemory", "(J)V", false);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitLdcInsn(64L);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "jdk/internal/misc/Unsafe", "allocateMemory", "(J)J", false);
        mv.visitVarInsn(Opcodes.ALOAD, 0);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitInsn(Opcodes.LCONST_0);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "jdk/internal/misc/Unsafe", "copyMemory", "(JJJ)V", false);
        mv.visitInsn(Opcodes.LRETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** Every method call of every method, in order, as ASM reads them. */
    private static List<String> calls(byte[] bytes) {
        List<String> calls = new ArrayList<>();
        for (List<String[]> method : AsmCalls.perMethod(bytes)) {
            for (String[] call : method) {
                calls.add("m " + call[0] + " " + call[1] + "." + call[2] + call[3]);
            }
        }
        return calls;
    }

    private static byte[] bytesOf(String internalName) throws IOException {
        Class<?> loaded;
        try {
            loaded = Class.forName(internalName.replace('/', '.'), false, null);
        } catch (ClassNotFoundException absent) {
            return null;
        }
        try (InputStream in = loaded.getResourceAsStream("/" + internalName + ".class")) { // any module's class file
            return in == null ? null : in.readAllBytes();
        }
    }

}
