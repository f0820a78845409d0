package dev.alloc.agent.transform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Generates, once per intercepted method, a tiny bootstrap class with one static method that
 * takes the call's operands plus an {@code int} site id:
 * <pre>
 *   static R call([Owner receiver,] A1 a1, ..., int site) {
 *       SiteContext c = SiteContext.current();
 *       int previous = c.enter(site);
 *       try { return receiver.method(a1, ...); } finally { c.exit(previous); }
 *   }
 * </pre>
 * A rewritten call site pushes its constant site id and calls this instead of the JDK method,
 * so the operand stack is unchanged but for one int. The JDK choke point below reads the site
 * from the thread's context: attribution without a stack walk.
 */
public final class SiteWrappers {
    /** Defines a generated class in the runtime's package of the bootstrap class loader. */
    public interface Definer {
        Class<?> define(byte[] bytes) throws Exception;
    }

    /** A wrapper's class and method descriptor. */
    record Wrapper(String className, String descriptor) {
    }

    private static final String CONTEXT = "dev/alloc/runtime/SiteContext";
    private static final String PACKAGE = "dev/alloc/runtime/CallSiteWrapper$";

    private final Definer definer;
    private final Map<String, Wrapper> wrappers = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();

    public SiteWrappers(Definer definer) {
        this.definer = definer;
    }

    Wrapper wrapperFor(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        String key = opcode + " " + owner + "." + name + descriptor;
        Wrapper known = wrappers.get(key);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            known = wrappers.get(key);
            if (known != null) {
                return known;
            }
            String className = PACKAGE + counter.incrementAndGet();
            String wrapperDescriptor = (opcode == Opcodes.INVOKESTATIC ? "(" : "(L" + owner + ";")
                    + descriptor.substring(1, descriptor.indexOf(')')) + "I" + descriptor.substring(descriptor.indexOf(')'));
            byte[] bytes = generate(className, wrapperDescriptor, opcode, owner, name, descriptor, isInterface);
            try {
                definer.define(bytes);
            } catch (Exception e) {
                throw new IllegalStateException("cannot define " + className, e);
            }
            Wrapper wrapper = new Wrapper(className, wrapperDescriptor);
            wrappers.put(key, wrapper);
            return wrapper;
        }
    }

    static byte[] generate(String className, String wrapperDescriptor, int opcode, String owner, String name,
                           String descriptor, boolean isInterface) {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String type1, String type2) {
                return "java/lang/Object"; // never needed for this straight-line code; never load classes
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, className, null,
                "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "call", wrapperDescriptor, null, null);
        mv.visitCode();
        Type[] parameters = Type.getArgumentTypes(wrapperDescriptor);
        int siteSlot = 0;
        for (int i = 0; i < parameters.length - 1; i++) {
            siteSlot += parameters[i].getSize();
        }
        int contextSlot = siteSlot + 1;
        int previousSlot = siteSlot + 2;
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        mv.visitTryCatchBlock(start, end, handler, null);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, CONTEXT, "current", "()L" + CONTEXT + ";", false);
        mv.visitVarInsn(Opcodes.ASTORE, contextSlot);
        mv.visitVarInsn(Opcodes.ALOAD, contextSlot);
        mv.visitVarInsn(Opcodes.ILOAD, siteSlot);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CONTEXT, "enter", "(I)I", false);
        mv.visitVarInsn(Opcodes.ISTORE, previousSlot);
        mv.visitLabel(start);
        int slot = 0;
        for (int i = 0; i < parameters.length - 1; i++) {
            mv.visitVarInsn(parameters[i].getOpcode(Opcodes.ILOAD), slot);
            slot += parameters[i].getSize();
        }
        mv.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        mv.visitLabel(end);
        mv.visitVarInsn(Opcodes.ALOAD, contextSlot);
        mv.visitVarInsn(Opcodes.ILOAD, previousSlot);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CONTEXT, "exit", "(I)V", false);
        mv.visitInsn(Type.getReturnType(descriptor).getOpcode(Opcodes.IRETURN));
        mv.visitLabel(handler);
        mv.visitVarInsn(Opcodes.ALOAD, contextSlot);
        mv.visitVarInsn(Opcodes.ILOAD, previousSlot);
        mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, CONTEXT, "exit", "(I)V", false);
        mv.visitInsn(Opcodes.ATHROW);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
