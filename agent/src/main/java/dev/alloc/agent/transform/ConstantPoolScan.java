package dev.alloc.agent.transform;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.objectweb.asm.ClassReader;

/**
 * The cheap first look at a class being loaded: does its constant pool name an intercepted
 * owner type at all? Most classes do not, and are left alone without parsing their methods.
 */
final class ConstantPoolScan {
    private static final int UTF8_TAG = 1;
    private final byte[][] owners;

    ConstantPoolScan(List<InterceptedCall> calls) {
        owners = calls.stream().map(InterceptedCall::owner).distinct()
                .map(owner -> owner.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
    }

    boolean mentionsAnOwner(ClassReader reader, byte[] bytes) {
        for (int item = 1; item < reader.getItemCount(); item++) {
            int offset = reader.getItem(item);
            if (offset > 0 && bytes[offset - 1] == UTF8_TAG) {
                int length = ((bytes[offset] & 0xFF) << 8) | (bytes[offset + 1] & 0xFF);
                for (byte[] owner : owners) {
                    if (owner.length == length && equalsAt(bytes, offset + 2, owner)) {
                        return true;
                    }
                }
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
