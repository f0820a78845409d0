package dev.alloc.agent.transform;

import java.nio.charset.StandardCharsets;
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
    private static final int INVOKEVIRTUAL = 0xb6;
    private static final int INVOKESTATIC = 0xb8;
    private static final int TABLESWITCH = 0xaa;
    private static final int LOOKUPSWITCH = 0xab;
    private static final int WIDE = 0xc4;
    private static final int IINC = 0x84;
    /** Instruction lengths by opcode, 0 for the variable ones and the invalid ones. */
    private static final byte[] LENGTH = lengths();

    /** The result: the new class bytes (null when nothing was hooked) and the hooks woven, in code order. */
    record Patched(byte[] bytes, String hooks) {
    }

    private UnsafeCallPatcher() {
    }

    static Patched patch(ChokePoint chokePoint, byte[] b) {
        if (b.length < 10 || u4(b, 0) != 0xCAFEBABEL) {
            throw new IllegalArgumentException("not a class file");
        }
        int count = u2(b, 8);
        int[] offsets = new int[count];
        int offset = 10;
        for (int i = 1; i < count; i++) {
            offsets[i] = offset;
            int tag = b[offset] & 0xFF;
            switch (tag) {
                case 1 -> offset += 3 + u2(b, offset + 1);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> offset += 5;
                case 5, 6 -> {
                    offset += 9;
                    i++;
                }
                case 7, 8, 16, 19, 20 -> offset += 3;
                case 15 -> offset += 4;
                default -> throw new IllegalArgumentException("constant pool tag " + tag);
            }
        }
        int poolEnd = offset;
        // The hook (or null) of every Methodref that names a hooked jdk.internal.misc.Unsafe method.
        String[] hookOf = new String[count];
        String[] descriptorOf = new String[count];
        boolean any = false;
        for (int i = 1; i < count; i++) {
            int at = offsets[i];
            if (at == 0 || b[at] != 10 || !utf8Equals(b, offsets, u2(b, offsets[u2(b, at + 1)] + 1), ChokePointTransformer.UNSAFE)) {
                continue;
            }
            int nameAndType = offsets[u2(b, at + 3)];
            String hook = chokePoint.hookFor(utf8(b, offsets, u2(b, nameAndType + 1)));
            if (hook != null) {
                hookOf[i] = hook;
                descriptorOf[i] = utf8(b, offsets, u2(b, nameAndType + 3));
                any = true;
            }
        }
        if (!any) {
            return new Patched(null, "");
        }
        // Walk every method's code; patch the calls and note which Methodrefs to append.
        List<int[]> patches = new ArrayList<>(); // {code offset of the instruction, old Methodref index}
        offset = poolEnd + 6;
        offset += 2 + 2 * u2(b, offset); // interfaces
        offset = skipMembers(b, offset); // fields
        int methods = u2(b, offset);
        offset += 2;
        for (int m = 0; m < methods; m++) {
            int attributes = u2(b, offset + 6);
            offset += 8;
            for (int a = 0; a < attributes; a++) {
                int length = (int) u4(b, offset + 2);
                if (utf8Equals(b, offsets, u2(b, offset), "Code")) {
                    int codeLength = (int) u4(b, offset + 10);
                    findCalls(b, offset + 14, codeLength, hookOf, patches);
                }
                offset += 6 + length;
            }
        }
        if (patches.isEmpty()) {
            return new Patched(null, "");
        }
        // New entries: the hooks' class once, then per distinct (hook, descriptor) a Methodref.
        ByteBuilder added = new ByteBuilder();
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
            out[at] = (byte) INVOKESTATIC;
            out[at + 1] = (byte) (patch[1] >>> 8);
            out[at + 2] = (byte) patch[1];
        }
        return new Patched(out, woven.toString());
    }

    private static void findCalls(byte[] b, int code, int length, String[] hookOf, List<int[]> patches) {
        int pc = 0;
        while (pc < length) {
            int op = b[code + pc] & 0xFF;
            int size = LENGTH[op];
            if (op == INVOKEVIRTUAL) {
                int ref = u2(b, code + pc + 1);
                if (ref < hookOf.length && hookOf[ref] != null) {
                    patches.add(new int[] {code + pc, ref});
                }
            } else if (op == TABLESWITCH) {
                int base = pc + 1 + (3 - (pc & 3));
                size = base - pc + 12 + 4 * (u4i(b, code + base + 8) - u4i(b, code + base + 4) + 1);
            } else if (op == LOOKUPSWITCH) {
                int base = pc + 1 + (3 - (pc & 3));
                size = base - pc + 8 + 8 * u4i(b, code + base + 4);
            } else if (op == WIDE) {
                size = (b[code + pc + 1] & 0xFF) == IINC ? 6 : 4;
            }
            if (size <= 0) {
                throw new IllegalArgumentException("opcode " + op);
            }
            pc += size;
        }
        if (pc != length) {
            throw new IllegalArgumentException("code does not end on an instruction");
        }
    }

    private static int skipMembers(byte[] b, int offset) {
        int members = u2(b, offset);
        offset += 2;
        for (int m = 0; m < members; m++) {
            int attributes = u2(b, offset + 6);
            offset += 8;
            for (int a = 0; a < attributes; a++) {
                offset += 6 + (int) u4(b, offset + 2);
            }
        }
        return offset;
    }

    private static boolean utf8Equals(byte[] b, int[] offsets, int index, String text) {
        int at = offsets[index];
        if (b[at] != 1 || u2(b, at + 1) != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (b[at + 3 + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Only for the short ASCII names and descriptors of Unsafe's memory methods. */
    private static String utf8(byte[] b, int[] offsets, int index) {
        int at = offsets[index];
        if (b[at] != 1) {
            throw new IllegalArgumentException("not a Utf8 entry: " + index);
        }
        return new String(b, at + 3, u2(b, at + 1), StandardCharsets.ISO_8859_1);
    }

    private static int u2(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static long u4(byte[] b, int at) {
        return u4i(b, at) & 0xFFFFFFFFL;
    }

    private static int u4i(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    private static byte[] lengths() {
        byte[] length = new byte[256];
        for (int op = 0x00; op <= 0xc9; op++) {
            length[op] = 1;
        }
        int[][] sized = {{0x10, 2}, {0x11, 3}, {0x12, 2}, {0x13, 3}, {0x14, 3}, {0x84, 3}, {0xa9, 2}, {0xb9, 5},
                {0xba, 5}, {0xbb, 3}, {0xbc, 2}, {0xbd, 3}, {0xc0, 3}, {0xc1, 3}, {0xc5, 4}, {0xc6, 3}, {0xc7, 3},
                {0xc8, 5}, {0xc9, 5}};
        for (int op = 0x15; op <= 0x19; op++) {
            length[op] = 2; // iload .. aload
        }
        for (int op = 0x36; op <= 0x3a; op++) {
            length[op] = 2; // istore .. astore
        }
        for (int op = 0x99; op <= 0xa8; op++) {
            length[op] = 3; // if<cond>, goto, jsr
        }
        for (int op = 0xb2; op <= 0xb8; op++) {
            length[op] = 3; // getstatic .. invokestatic
        }
        for (int[] s : sized) {
            length[s[0]] = (byte) s[1];
        }
        length[TABLESWITCH] = 0;
        length[LOOKUPSWITCH] = 0;
        length[WIDE] = 0;
        return length;
    }

    /** A growable byte array for the appended constant-pool entries. */
    private static final class ByteBuilder {
        private byte[] bytes = new byte[256];
        private int size;

        ByteBuilder u1(int value) {
            if (size == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = (byte) value;
            return this;
        }

        ByteBuilder u2(int value) {
            return u1(value >>> 8).u1(value);
        }

        /** A Utf8 entry of ASCII text. */
        ByteBuilder utf8(String text) {
            u1(1).u2(text.length());
            for (int i = 0; i < text.length(); i++) {
                u1(text.charAt(i));
            }
            return this;
        }

        int size() {
            return size;
        }

        void copyTo(byte[] out, int at) {
            System.arraycopy(bytes, 0, out, at, size);
        }
    }
}
