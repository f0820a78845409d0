package dev.alloc.agent.transform;

import static dev.alloc.agent.transform.ClassBytes.u2;
import static dev.alloc.agent.transform.ClassBytes.u4;

import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites a choke point's calls without a bytecode library: each
 * {@code INVOKEVIRTUAL jdk/internal/misc/Unsafe.<m>(<args>)<r>} that the choke point hooks becomes
 * {@code INVOKESTATIC dev/alloc/runtime/JdkHooks.<hook>(Ljava/lang/Object;<args>)<r>}. Both
 * instructions are three bytes and take the same operand stack (the receiver becomes the
 * ignored {@code Object}), so the class file keeps its layout: new constant-pool entries are
 * appended at the end of the pool, the three bytes are patched in place, and nothing else
 * changes — no stack map frame, offset or maximum.
 *
 * <p>This is what start-up pays for weaving the JDK: one pass over the constant pool and one over
 * each method's instructions, instead of ASM decoding and re-encoding whole classes (the
 * JDK's {@code sun.misc.Unsafe} and {@code DirectByteBuffer} are 17-25 KB each), which cost tens
 * of milliseconds, a megabyte of garbage and the JIT compilations of ASM. Anything it does not
 * understand throws {@link IllegalArgumentException}, and the caller falls back to ASM.
 */
final class UnsafeCallPatcher {
    /** The result: the new class bytes (null when nothing was hooked) and the hooks woven, in code order. */
    record Patched(byte[] bytes, String hooks) {
    }

    private UnsafeCallPatcher() {
    }

    static Patched patch(ChokePoint chokePoint, byte[] b) {
        ClassBytes cf = new ClassBytes(b);
        int count = cf.poolCount();
        int poolEnd = cf.poolEnd;
        // The hook (or null) of every Methodref that names a hooked jdk.internal.misc.Unsafe method.
        String[] hookOf = new String[count];
        String[] descriptorOf = new String[count];
        boolean any = false;
        for (int i = 1; i < count; i++) {
            if (cf.tag(i) != 10 || !cf.utf8Equals(cf.ref(cf.ref(i, 0), 0), ChokePointTransformer.UNSAFE)) {
                continue;
            }
            int nameAndType = cf.ref(i, 1);
            String hook = chokePoint.hookFor(cf.utf8(cf.ref(nameAndType, 0)));
            if (hook != null) {
                hookOf[i] = hook;
                descriptorOf[i] = cf.utf8(cf.ref(nameAndType, 1));
                any = true;
            }
        }
        if (!any) {
            return new Patched(null, "");
        }
        // Walk every method's code; patch the calls and note which Methodrefs to append.
        List<int[]> patches = new ArrayList<>(); // {code offset of the instruction, old Methodref index}
        int offset = cf.methodsOffset();
        int methods = u2(b, offset);
        offset += 2;
        for (int m = 0; m < methods; m++) {
            int attributes = u2(b, offset + 6);
            offset += 8;
            for (int a = 0; a < attributes; a++) {
                int length = u4(b, offset + 2);
                if (cf.utf8Equals(u2(b, offset), "Code")) {
                    int codeLength = u4(b, offset + 10);
                    findCalls(b, offset + 14, codeLength, hookOf, patches);
                }
                offset += 6 + length;
            }
        }
        if (patches.isEmpty()) {
            return new Patched(null, "");
        }
        // New entries: the hooks' class once, then per distinct (hook, descriptor) a Methodref.
        ClassBytes.Builder added = new ClassBytes.Builder(256);
        int next = count;
        int hooksClass = next + 1;
        added.utf8(ChokePointTransformer.HOOKS).u1(7).u2(next);
        next += 2;
        List<String> keys = new ArrayList<>();
        List<Integer> refs = new ArrayList<>();
        StringBuilder woven = new StringBuilder();
        for (int[] patch : patches) {
            String hook = hookOf[patch[1]];
            String descriptor = "(Ljava/lang/Object;" + descriptorOf[patch[1]].substring(1);
            String key = hook + descriptor;
            int index = keys.indexOf(key);
            if (index < 0) {
                added.utf8(hook).utf8(descriptor).u1(12).u2(next).u2(next + 1).u1(10).u2(hooksClass).u2(next + 2);
                keys.add(key);
                refs.add(next + 3);
                index = keys.size() - 1;
                next += 4;
            }
            patch[1] = refs.get(index);
            woven.append(hook).append(' ');
        }
        if (next > 0xFFFF) {
            throw new IllegalArgumentException("constant pool full");
        }
        byte[] out = new byte[b.length + added.size()];
        System.arraycopy(b, 0, out, 0, poolEnd);
        out[8] = (byte) (next >>> 8);
        out[9] = (byte) next;
        added.copyTo(out, poolEnd);
        System.arraycopy(b, poolEnd, out, poolEnd + added.size(), b.length - poolEnd);
        for (int[] patch : patches) {
            int at = patch[0] + added.size();
            out[at] = (byte) ClassBytes.INVOKESTATIC;
            out[at + 1] = (byte) (patch[1] >>> 8);
            out[at + 2] = (byte) patch[1];
        }
        return new Patched(out, woven.toString());
    }

    private static void findCalls(byte[] b, int code, int length, String[] hookOf, List<int[]> patches) {
        int pc = 0;
        while (pc < length) {
            if ((b[code + pc] & 0xFF) == ClassBytes.INVOKEVIRTUAL) {
                int ref = u2(b, code + pc + 1);
                if (ref < hookOf.length && hookOf[ref] != null) {
                    patches.add(new int[] {code + pc, ref});
                }
            }
            pc += ClassBytes.instructionLength(b, code, pc);
        }
        if (pc != length) {
            throw new IllegalArgumentException("code does not end on an instruction");
        }
    }
}
