package dev.alloc.agent.transform;

import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.ClassReader;

/**
 * The cheap first look at a class being loaded: does its constant pool refer to an intercepted
 * method? Most classes do not, and are left alone without parsing their methods.
 *
 * <p>Two passes. The first walks the pool's strings without allocating anything and rejects a
 * class unless some string is an intercepted owner type and some string an intercepted method
 * name: that is every class but a few per thousand (many mention {@code java/nio/ByteBuffer} or
 * {@code sun/misc/Unsafe} without allocating through them). The second, only for those few,
 * indexes the pool and looks for a {@code Methodref} or {@code InterfaceMethodref} whose owner
 * and name are one intercepted call's, so that a class naming both apart (a {@code wrap} call
 * and an {@code "allocateDirect"} string) is not handed to ASM for nothing (class loading with
 * the agent measured in docs/PERFORMANCE.md).
 */
final class ConstantPoolScan {
    private static final int UTF8_TAG = 1;
    private final byte[][] owners;
    private final byte[][] names;
    private final boolean[] namePrefix;
    /** The first bytes of every owner and name: most pool strings are rejected on their first byte. */
    private final boolean[] firstByte = new boolean[256];
    /** Per intercepted call: its owner, its name (or name prefix) and whether that is a prefix. */
    private final byte[][] callOwners;
    private final byte[][] callNames;
    private final boolean[] callPrefix;

    ConstantPoolScan(List<InterceptedCall> calls) {
        callOwners = new byte[calls.size()][];
        callNames = new byte[calls.size()][];
        callPrefix = new boolean[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            callOwners[i] = ascii(calls.get(i).owner());
            callNames[i] = ascii(calls.get(i).namePrefix());
            callPrefix[i] = calls.get(i).prefix();
        }
        List<byte[]> ownerList = new ArrayList<>();
        List<String> seenOwners = new ArrayList<>();
        List<String> seenNames = new ArrayList<>();
        List<InterceptedCall> nameCalls = new ArrayList<>();
        for (InterceptedCall call : calls) {
            if (!seenOwners.contains(call.owner())) {
                seenOwners.add(call.owner());
                ownerList.add(ascii(call.owner()));
            }
            String nameKey = call.namePrefix() + (call.prefix() ? "*" : "");
            if (!seenNames.contains(nameKey)) {
                seenNames.add(nameKey);
                nameCalls.add(call);
            }
        }
        owners = ownerList.toArray(new byte[0][]);
        names = new byte[nameCalls.size()][];
        namePrefix = new boolean[nameCalls.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = ascii(nameCalls.get(i).namePrefix());
            namePrefix[i] = nameCalls.get(i).prefix();
            firstByte[names[i][0] & 0xFF] = true;
        }
        for (byte[] owner : owners) {
            firstByte[owner[0] & 0xFF] = true;
        }
    }

    /**
     * Walks the constant pool of a class file straight from its bytes (no {@link ClassReader},
     * which would also walk every field and method to find the class's attributes). Returns
     * true, to let the full rewrite decide, for anything it does not understand.
     */
    boolean mentionsACall(byte[] bytes) {
        if (bytes.length < 10 || u2(bytes, 0) != 0xCAFE || u2(bytes, 2) != 0xBABE) {
            return true;
        }
        boolean owner = false;
        boolean name = false;
        int count = u2(bytes, 8);
        int offset = 10;
        for (int item = 1; item < count; item++) {
            if (offset >= bytes.length) {
                return true;
            }
            switch (bytes[offset]) {
                case UTF8_TAG: {
                    int length = u2(bytes, offset + 1);
                    if (offset + 3 + length > bytes.length) {
                        return true;
                    }
                    if (length > 0 && firstByte[bytes[offset + 3] & 0xFF]) {
                        owner = owner || matchesAny(bytes, offset + 3, length, owners, null);
                        name = name || matchesAny(bytes, offset + 3, length, names, namePrefix);
                        if (owner && name) {
                            return refersToACall(bytes);
                        }
                    }
                    offset += 3 + length;
                    break;
                }
                case 7: case 8: case 16: case 19: case 20: // Class, String, MethodType, Module, Package
                    offset += 3;
                    break;
                case 15: // MethodHandle
                    offset += 4;
                    break;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: // Integer .. InvokeDynamic
                    offset += 5;
                    break;
                case 5: case 6: // Long, Double: two entries
                    offset += 9;
                    item++;
                    break;
                default:
                    return true;
            }
        }
        return false;
    }

    /** The bytes of an ASCII name, without {@code StandardCharsets} (which loads nine charset classes at start). */
    private static byte[] ascii(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) text.charAt(i);
        }
        return bytes;
    }

    /** The second pass: a method reference whose owner and name are one intercepted call's. */
    private boolean refersToACall(byte[] bytes) {
        ClassBytes pool;
        try {
            pool = new ClassBytes(bytes);
        } catch (RuntimeException unexpected) {
            return true;
        }
        for (int i = 1; i < pool.poolCount(); i++) {
            if (namesACall(pool, i)) {
                return true;
            }
        }
        return false;
    }

    /** Whether pool entry {@code i} is a {@code Methodref} or {@code InterfaceMethodref} of one intercepted call's owner and name. */
    private boolean namesACall(ClassBytes pool, int i) {
        int tag = pool.tag(i);
        if (tag != 10 && tag != 11) { // Methodref, InterfaceMethodref
            return false;
        }
        int owner = pool.ref(pool.ref(i, 0), 0);
        int name = pool.ref(pool.ref(i, 1), 0);
        for (int c = 0; c < callOwners.length; c++) {
            if (pool.utf8Matches(owner, callOwners[c], false) && pool.utf8Matches(name, callNames[c], callPrefix[c])) {
                return true;
            }
        }
        return false;
    }

    /**
     * Per method of the class, in class-file order: whether its code has an invoke instruction
     * naming one of the intercepted calls ({@link #namesACall}); null for a class file this does
     * not understand (then every method is looked at). The rewrite hands only those methods to
     * its method visitor and lets ASM copy the others' bytes as they are: in Guava's
     * {@code com.google.common.io.Files}, one method of 37 calls {@code FileChannel.map}.
     */
    boolean[] methodsCalling(byte[] bytes) {
        try {
            ClassBytes cf = new ClassBytes(bytes);
            boolean[] calls = new boolean[cf.poolCount()];
            for (int i = 1; i < calls.length; i++) {
                calls[i] = namesACall(cf, i);
            }
            int offset = cf.methodsOffset();
            boolean[] calling = new boolean[ClassBytes.u2(bytes, offset)];
            offset += 2;
            for (int m = 0; m < calling.length; m++) {
                int attributes = ClassBytes.u2(bytes, offset + 6);
                offset += 8;
                for (int a = 0; a < attributes; a++) {
                    if (cf.utf8Equals(ClassBytes.u2(bytes, offset), "Code")) {
                        calling[m] = invokesACall(bytes, offset + 14, ClassBytes.u4(bytes, offset + 10), calls);
                    }
                    offset += 6 + ClassBytes.u4(bytes, offset + 2);
                }
            }
            return calling;
        } catch (RuntimeException notUnderstood) {
            return null;
        }
    }

    private static boolean invokesACall(byte[] bytes, int code, int codeLength, boolean[] calls) {
        for (int pc = 0; pc < codeLength; pc += ClassBytes.instructionLength(bytes, code, pc)) {
            int op = bytes[code + pc] & 0xFF;
            if (op >= ClassBytes.INVOKEVIRTUAL && op <= ClassBytes.INVOKEINTERFACE && calls[ClassBytes.u2(bytes, code + pc + 1)]) {
                return true;
            }
        }
        return false;
    }

    private static int u2(byte[] bytes, int offset) {
        return ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
    }

    private static boolean matchesAny(byte[] bytes, int offset, int length, byte[][] texts, boolean[] prefix) {
        for (int i = 0; i < texts.length; i++) {
            byte[] text = texts[i];
            boolean fits = prefix != null && prefix[i] ? length >= text.length : length == text.length;
            if (fits && equalsAt(bytes, offset, text)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsAt(byte[] bytes, int offset, byte[] text) {
        for (int i = 0; i < text.length; i++) {
            if (bytes[offset + i] != text[i]) {
                return false;
            }
        }
        return true;
    }
}
