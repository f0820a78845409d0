package dev.alloc.agent.transform;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Frames a rewritten call with its site, so that the site never outlives the call on its
 * thread, even when the call throws (the limit error included):
 * <pre>
 *   ldc site; invokestatic SiteContext.prime(I)V
 *   start: &lt;the call&gt;
 *   end:   invokestatic SiteContext.unprime()V
 *   ...
 *   every handler of the method: invokestatic SiteContext.unprime()V; &lt;the handler's code&gt;
 *   ...
 *   last (after the method's last instruction, the last entry of the exception table, so the
 *   method's own handlers keep their priority): [start, end) catches anything:
 *          invokestatic SiteContext.unprime()V; athrow
 * </pre>
 * An exception from the call is either caught by one of the method's own handlers, which
 * un-prime first (un-priming is idempotent, and cheap next to a caught exception), or leaves
 * the method through the last handler. Rethrowing from a handler of our own placed inside the
 * method's try ranges would need the locals' types there; this way no frame is computed: the
 * own handlers' frames are untouched (the call is inserted after their frame), and the last
 * handler's frame declares no locals (TOP is a supertype of every local) and the
 * {@code Throwable} on the stack, or in a constructor before its {@code super(...)} or
 * {@code this(...)} call, only {@code uninitializedThis}, which the verifier requires there
 * (and which the handler may throw with). Nothing else in the method moves: the last handler
 * follows the last instruction, which never falls through.
 */
class SiteFraming extends MethodVisitor {
    private static final String CONTEXT = "dev/alloc/runtime/SiteContext";

    private final boolean framesSites;
    private final boolean stackMapFrames;
    private final Set<Label> handlers = new HashSet<>();
    /** A handler's label was visited: un-prime before its first instruction (after its frame). */
    private boolean handlerStarts;
    private final List<Label[]> framed = new ArrayList<>();
    private final List<Boolean> framedBeforeSuper = new ArrayList<>();
    /** In a constructor: objects created ({@code new}) and not yet initialised; -1 once this is initialised. */
    private int pendingNews;
    private Label start;

    /**
     * @param framesSites    the method's calls are framed (else this passes everything through)
     * @param stackMapFrames the class has stack map frames (version 50 and later)
     * @param constructor    the method is {@code <init>}
     */
    SiteFraming(MethodVisitor next, boolean framesSites, boolean stackMapFrames, boolean constructor) {
        super(Opcodes.ASM9, next);
        this.framesSites = framesSites;
        this.stackMapFrames = stackMapFrames;
        this.pendingNews = constructor ? 0 : -1;
    }

    /** Primes the site; the next instruction visited is the call. */
    protected void beginFramed(int site) {
        beforeInstruction();
        super.visitLdcInsn(site);
        super.visitMethodInsn(Opcodes.INVOKESTATIC, CONTEXT, "prime", "(I)V", false);
        start = new Label();
        super.visitLabel(start);
    }

    /**
     * Un-primes the site after the call, and on any exception it throws. After a normal return
     * of a call whose hook always takes the site ({@code consumed}: the hook clears it as it
     * reads it), there is nothing left to un-prime.
     */
    protected void endFramed(boolean consumed) {
        Label end = new Label();
        super.visitLabel(end);
        if (!consumed) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, CONTEXT, "unprime", "()V", false);
        }
        framed.add(new Label[] {start, end, new Label()});
        framedBeforeSuper.add(pendingNews >= 0);
        start = null;
    }

    @Override
    public void visitTryCatchBlock(Label from, Label to, Label handler, String type) {
        if (framesSites) {
            handlers.add(handler);
        }
        super.visitTryCatchBlock(from, to, handler, type);
    }

    @Override
    public void visitLabel(Label label) {
        super.visitLabel(label);
        if (handlers.contains(label)) {
            handlerStarts = true;
        }
    }

    /** Called before every instruction: the un-priming at the start of a handler. */
    private void beforeInstruction() {
        if (handlerStarts) {
            handlerStarts = false;
            super.visitMethodInsn(Opcodes.INVOKESTATIC, CONTEXT, "unprime", "()V", false);
        }
    }

    @Override
    public void visitInsn(int opcode) {
        beforeInstruction();
        super.visitInsn(opcode);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        beforeInstruction();
        super.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitVarInsn(int opcode, int varIndex) {
        beforeInstruction();
        super.visitVarInsn(opcode, varIndex);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        beforeInstruction();
        if (opcode == Opcodes.NEW && pendingNews >= 0) {
            pendingNews++;
        }
        super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
        beforeInstruction();
        super.visitFieldInsn(opcode, owner, name, descriptor);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
        beforeInstruction();
        if (opcode == Opcodes.INVOKESPECIAL && pendingNews >= 0 && name.equals("<init>")) {
            pendingNews--; // from 0: this very object's super(...) or this(...): initialised from here on
        }
        super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
        beforeInstruction();
        super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
        beforeInstruction();
        super.visitJumpInsn(opcode, label);
    }

    @Override
    public void visitLdcInsn(Object value) {
        beforeInstruction();
        super.visitLdcInsn(value);
    }

    @Override
    public void visitIincInsn(int varIndex, int increment) {
        beforeInstruction();
        super.visitIincInsn(varIndex, increment);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        beforeInstruction();
        super.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        beforeInstruction();
        super.visitLookupSwitchInsn(dflt, keys, labels);
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
        beforeInstruction();
        super.visitMultiANewArrayInsn(descriptor, numDimensions);
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        for (Label[] entry : framed) {
            super.visitTryCatchBlock(entry[0], entry[1], entry[2], null);
        }
        for (int i = 0; i < framed.size(); i++) {
            super.visitLabel(framed.get(i)[2]);
            if (stackMapFrames) {
                Object[] locals = framedBeforeSuper.get(i) ? new Object[] {Opcodes.UNINITIALIZED_THIS} : new Object[0];
                super.visitFrame(Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
            }
            super.visitMethodInsn(Opcodes.INVOKESTATIC, CONTEXT, "unprime", "()V", false);
            super.visitInsn(Opcodes.ATHROW);
        }
        super.visitMaxs(framed.isEmpty() ? maxStack : Math.max(maxStack, 1), maxLocals);
    }
}
