package dev.alloc.agent.transform;

import java.util.Arrays;

/**
 * Reading and appending to a class file straight from its bytes, for the in-place patchers
 * ({@link UnsafeCallPatcher}, {@link CodeInserter}) that spare the start-up ASM: big-endian
 * numbers, the constant pool's entry offsets, instruction lengths, member skipping. Anything it
 * does not understand throws {@link IllegalArgumentException}; the callers then fall back to ASM.
 */
final class ClassBytes {
    static final int INVOKEVIRTUAL = 0xb6;
    static final int INVOKESPECIAL = 0xb7;
    static final int INVOKESTATIC = 0xb8;
    static final int INVOKEINTERFACE = 0xb9;
    static final int GETFIELD = 0xb4;
    static final int TABLESWITCH = 0xaa;
    static final int LOOKUPSWITCH = 0xab;
    static final int WIDE = 0xc4;
    private static final int IINC = 0x84;
    /** Instruction lengths by opcode, 0 for the variable ones and the invalid ones. */
    private static final byte[] LENGTH = lengths();

    final byte[] b;
    /** Offset of each constant-pool entry's tag, by index (0 for index 0 and the second half of Long/Double). */
    final int[] pool;
    /** Offset of the access flags, just after the pool. */
    final int poolEnd;

    ClassBytes(byte[] b) {
        if (b.length < 10 || u4(b, 0) != 0xCAFEBABE) {
            throw new IllegalArgumentException("not a class file");
        }
        this.b = b;
        int count = u2(b, 8);
        pool = new int[count];
        int offset = 10;
        for (int i = 1; i < count; i++) {
            pool[i] = offset;
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
        poolEnd = offset;
    }

    int poolCount() {
        return pool.length;
    }

    /** Offset of the methods count: after the interfaces and the fields. */
    int methodsOffset() {
        int offset = poolEnd + 6;
        offset += 2 + 2 * u2(b, offset); // interfaces
        return skipMembers(offset); // fields
    }

    private int skipMembers(int offset) {
        int members = u2(b, offset);
        offset += 2;
        for (int m = 0; m < members; m++) {
            int attributes = u2(b, offset + 6);
            offset += 8;
            for (int a = 0; a < attributes; a++) {
                offset += 6 + u4(b, offset + 2);
            }
        }
        return offset;
    }

    int tag(int index) {
        return index > 0 && index < pool.length && pool[index] != 0 ? b[pool[index]] : 0;
    }

    /** The {@code n}-th u2 operand of entry {@code index} (the name of a Class, the class of a Methodref, ...). */
    int ref(int index, int n) {
        return u2(b, pool[index] + 1 + 2 * n);
    }

    boolean utf8Equals(int index, String text) {
        if (tag(index) != 1) {
            return false;
        }
        int at = pool[index];
        if (u2(b, at + 1) != text.length()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (b[at + 3 + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether entry {@code index} is the Utf8 {@code text} (or starts with it, if {@code prefix}). */
    boolean utf8Matches(int index, byte[] text, boolean prefix) {
        if (tag(index) != 1) {
            return false;
        }
        int at = pool[index];
        int length = u2(b, at + 1);
        if (prefix ? length < text.length : length != text.length) {
            return false;
        }
        for (int i = 0; i < text.length; i++) {
            if (b[at + 3 + i] != text[i]) {
                return false;
            }
        }
        return true;
    }

    /** Only for short ASCII names and descriptors. */
    String utf8(int index) {
        if (tag(index) != 1) {
            throw new IllegalArgumentException("not a Utf8 entry: " + index);
        }
        int at = pool[index];
        char[] chars = new char[u2(b, at + 1)];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = (char) (b[at + 3 + i] & 0xFF);
        }
        return new String(chars);
    }

    /** The length of the instruction at {@code code + pc} ({@code pc} counted from the code's start). */
    static int instructionLength(byte[] b, int code, int pc) {
        int op = b[code + pc] & 0xFF;
        int size = LENGTH[op];
        if (op == TABLESWITCH) {
            int base = pc + 1 + (3 - (pc & 3));
            size = base - pc + 12 + 4 * (u4(b, code + base + 8) - u4(b, code + base + 4) + 1);
        } else if (op == LOOKUPSWITCH) {
            int base = pc + 1 + (3 - (pc & 3));
            size = base - pc + 8 + 8 * u4(b, code + base + 4);
        } else if (op == WIDE) {
            size = (b[code + pc + 1] & 0xFF) == IINC ? 6 : 4;
        }
        if (size <= 0) {
            throw new IllegalArgumentException("opcode " + op);
        }
        return size;
    }

    static int u2(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    static int u4(byte[] b, int at) {
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

    /** A growable byte array: appended constant-pool entries, rewritten code. */
    static final class Builder {
        private byte[] bytes;
        private int size;

        Builder(int capacity) {
            bytes = new byte[Math.max(16, capacity)];
        }

        Builder u1(int value) {
            if (size == bytes.length) {
                bytes = Arrays.copyOf(bytes, size * 2);
            }
            bytes[size++] = (byte) value;
            return this;
        }

        Builder u2(int value) {
            return u1(value >>> 8).u1(value);
        }

        Builder u4(int value) {
            return u2(value >>> 16).u2(value);
        }

        Builder bytes(byte[] from, int offset, int length) {
            if (size + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + length, size * 2));
            }
            System.arraycopy(from, offset, bytes, size, length);
            size += length;
            return this;
        }

        /** A Utf8 entry of ASCII text. */
        Builder utf8(String text) {
            u1(1).u2(text.length());
            for (int i = 0; i < text.length(); i++) {
                u1(text.charAt(i));
            }
            return this;
        }

        void setU2(int at, int value) {
            bytes[at] = (byte) (value >>> 8);
            bytes[at + 1] = (byte) value;
        }

        void setU4(int at, int value) {
            setU2(at, value >>> 16);
            setU2(at + 2, value);
        }

        int size() {
            return size;
        }

        void copyTo(byte[] out, int at) {
            System.arraycopy(bytes, 0, out, at, size);
        }

        byte[] toArray() {
            return Arrays.copyOf(bytes, size);
        }
    }
}
