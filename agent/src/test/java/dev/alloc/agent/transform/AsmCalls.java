package dev.alloc.agent.transform;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The tests' reference reading of a class file's method calls: ASM's. */
final class AsmCalls {
    private AsmCalls() {
    }

    /** Per method, in class-file order, its method calls in order: {opcode, owner, name, descriptor}. */
    static List<List<String[]>> perMethod(byte[] bytes) {
        List<List<String[]>> methods = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                List<String[]> calls = new ArrayList<>();
                methods.add(calls);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        calls.add(new String[] {Integer.toString(opcode), owner, method, desc});
                    }
                };
            }
        }, 0);
        return methods;
    }
}
