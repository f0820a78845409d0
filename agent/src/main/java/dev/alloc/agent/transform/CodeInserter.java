package dev.alloc.agent.transform;

import static dev.alloc.agent.transform.ClassBytes.u2;
import static dev.alloc.agent.transform.ClassBytes.u4;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Inserts a few instructions into chosen methods of a class file without a bytecode library,
 * for the JDK weavers that run at every start ({@link DowncallTransformer},
 * {@link MappedFileTransformer}): loading and running ASM over the JDK's classes cost those
 * weavers 10-20 ms each on JDK 25, and the JIT compilations and garbage that come with it.
 *
 * <p>Three places can receive a {@link Snippet}: a method's entry, right after a call (by the
 * called method's name and descriptor) and right before an instruction (by opcode). Branch
 * targets, exception ranges, line numbers, local-variable ranges and stack map frames then
 * follow the ASM convention for code emitted at those places: a branch to an instruction that a
 * snippet was put <em>before</em> runs the snippet; a branch to the instruction following a call
 * (or to offset 0) skips the snippet put after the call (or at the entry).
 *
 * <p>Algorithm, per chosen method: one pass over the instructions collects the snippets by
 * offset; two tables map each old offset to its new offset as a branch target and as an
 * instruction; a second pass copies the code with the snippets in place and every branch and
 * switch offset recomputed; then the exception table, {@code LineNumberTable},
 * {@code LocalVariable(Type)Table} and {@code StackMapTable} (frame deltas re-encoded, the
 * compact forms widened when a delta outgrows them, {@code Uninitialized} offsets moved) are
 * rewritten. New constant-pool entries are appended to the pool, so no existing index changes.
 *
 * <p>Invariants: every snippet is padded with {@code NOP}s to a multiple of four bytes, so every
 * original instruction moves by a multiple of four and the padding of {@code tableswitch} and
 * {@code lookupswitch} stays valid; a snippet must leave the operand stack and the locals as it
 * found them (the callers' snippets do), so frames only move; the maximum stack grows by the
 * caller's {@code extraStack}. Anything else — an unknown attribute inside {@code Code}, a branch
 * that no longer fits in 16 bits, a method over 64 KiB — throws {@link IllegalArgumentException},
 * and the caller falls back to ASM.
 */
final class CodeInserter {
    private static final int NOP = 0x00;
    private static final int GOTO_W = 0xc8;
    private static final int JSR_W = 0xc9;
    private static final int IFNULL = 0xc6;
    private static final int IFNONNULL = 0xc7;

    /** A few instructions to insert: operand-less instructions, local-variable loads, calls and field reads, naming members by name. */
    static final class Snippet {
        private final List<Object[]> ops = new ArrayList<>();

        /** {@code iload}, {@code lload}, {@code fload}, {@code dload} or {@code aload} of a local slot. */
        Snippet load(int opcode, int slot) {
            if (opcode < 0x15 || opcode > 0x19 || slot < 0 || slot > 255) {
                throw new IllegalArgumentException("load " + opcode + " " + slot);
            }
            ops.add(new Object[] {opcode, slot});
            return this;
        }

        /** An instruction without operands, e.g. {@code dup}. */
        Snippet insn(int opcode) {
            if (opcode < 0 || opcode > 0xff) {
                throw new IllegalArgumentException("opcode " + opcode);
            }
            ops.add(new Object[] {opcode});
            return this;
        }

        /** {@code invokestatic}, {@code invokevirtual} or {@code invokespecial} of a class's method. */
        Snippet call(int opcode, String owner, String name, String descriptor) {
            ops.add(new Object[] {opcode, owner, name, descriptor});
            return this;
        }

        Snippet getField(String owner, String name, String descriptor) {
            ops.add(new Object[] {ClassBytes.GETFIELD, owner, name, descriptor});
            return this;
        }
    }

    /** What to insert into one method; a null answer inserts nothing there. */
    abstract static class MethodEdits {
        Snippet atEntry() {
            return null;
        }

        Snippet afterCall(String name, String descriptor) {
            return null;
        }

        Snippet beforeInstruction(int opcode) {
            return null;
        }
    }

    /** Chooses the methods to edit. */
    interface Edits {
        /** The edits for a method, or null to leave it alone. */
        MethodEdits forMethod(String name, String descriptor, int access);
    }

    private final ClassBytes cf;
    private final ClassBytes.Builder added = new ClassBytes.Builder(256);
    private final Map<String, Integer> addedIndex = new HashMap<>();
    private int next;

    private CodeInserter(byte[] classFile) {
        cf = new ClassBytes(classFile);
        next = cf.poolCount();
    }

    /** The class file with the snippets inserted, or null when no snippet was asked for. */
    static byte[] insert(byte[] classFile, Edits edits, int extraStack) {
        return new CodeInserter(classFile).insert(edits, extraStack);
    }

    private byte[] insert(Edits edits, int extraStack) {
        byte[] b = cf.b;
        List<int[]> spans = new ArrayList<>(); // {start, end} of each replaced Code attribute
        List<byte[]> replacements = new ArrayList<>();
        int offset = cf.methodsOffset();
        int methods = u2(b, offset);
        offset += 2;
        for (int m = 0; m < methods; m++) {
            MethodEdits method = edits.forMethod(cf.utf8(u2(b, offset + 2)), cf.utf8(u2(b, offset + 4)), u2(b, offset));
            int attributes = u2(b, offset + 6);
            offset += 8;
            for (int a = 0; a < attributes; a++) {
                int end = offset + 6 + u4(b, offset + 2);
                if (method != null && cf.utf8Equals(u2(b, offset), "Code")) {
                    byte[] code = rewriteCode(offset, method, extraStack);
                    if (code != null) {
                        spans.add(new int[] {offset, end});
                        replacements.add(code);
                    }
                }
                offset = end;
            }
        }
        if (spans.isEmpty()) {
            return null;
        }
        if (next > 0xFFFF) {
            throw new IllegalArgumentException("constant pool full");
        }
        ClassBytes.Builder out = new ClassBytes.Builder(b.length + added.size() + 256);
        out.bytes(b, 0, 8).u2(next).bytes(b, 10, cf.poolEnd - 10);
        out.bytes(added.toArray(), 0, added.size());
        int copied = cf.poolEnd;
        for (int i = 0; i < spans.size(); i++) {
            out.bytes(b, copied, spans.get(i)[0] - copied);
            byte[] code = replacements.get(i);
            out.bytes(code, 0, code.length);
            copied = spans.get(i)[1];
        }
        out.bytes(b, copied, b.length - copied);
        return out.toArray();
    }

    /** The method's new Code attribute, or null when no snippet goes into it. */
    private byte[] rewriteCode(int attribute, MethodEdits edits, int extraStack) {
        byte[] b = cf.b;
        int codeLength = u4(b, attribute + 10);
        int code = attribute + 14;
        byte[][] after = new byte[codeLength + 1][];
        byte[][] before = new byte[codeLength + 1][];
        boolean any = false;
        Snippet entry = edits.atEntry();
        if (entry != null) {
            after[0] = encode(entry);
            any = true;
        }
        int pc = 0;
        while (pc < codeLength) {
            int op = b[code + pc] & 0xFF;
            int length = ClassBytes.instructionLength(b, code, pc);
            if (op >= ClassBytes.INVOKEVIRTUAL && op <= ClassBytes.INVOKEINTERFACE) {
                int nameAndType = cf.ref(u2(b, code + pc + 1), 1);
                Snippet snippet = edits.afterCall(cf.utf8(cf.ref(nameAndType, 0)), cf.utf8(cf.ref(nameAndType, 1)));
                if (snippet != null) {
                    after[pc + length] = encode(snippet);
                    any = true;
                }
            }
            Snippet snippet = edits.beforeInstruction(op);
            if (snippet != null) {
                before[pc] = encode(snippet);
                any = true;
            }
            pc += length;
        }
        if (pc != codeLength) {
            throw new IllegalArgumentException("code does not end on an instruction");
        }
        if (!any) {
            return null;
        }
        if (after[codeLength] != null) {
            throw new IllegalArgumentException("a snippet after the last instruction");
        }
        // Old offset -> new offset, as a branch target and as the instruction itself.
        int[] target = new int[codeLength + 1];
        int[] instruction = new int[codeLength + 1];
        int shift = 0;
        for (int p = 0; p <= codeLength; p++) {
            int a = after[p] == null ? 0 : after[p].length;
            int bb = before[p] == null ? 0 : before[p].length;
            target[p] = p + shift + a;
            instruction[p] = p + shift + a + bb;
            shift += a + bb;
        }
        int newLength = codeLength + shift;
        if (newLength > 0xFFFF) {
            throw new IllegalArgumentException("method too large");
        }
        ClassBytes.Builder out = new ClassBytes.Builder(newLength + 64);
        out.u2(u2(b, attribute)).u4(0); // name, length (set below)
        out.u2(u2(b, attribute + 6) + extraStack).u2(u2(b, attribute + 8)).u4(newLength);
        for (pc = 0; pc < codeLength; ) {
            int length = ClassBytes.instructionLength(b, code, pc);
            if (after[pc] != null) {
                out.bytes(after[pc], 0, after[pc].length);
            }
            if (before[pc] != null) {
                out.bytes(before[pc], 0, before[pc].length);
            }
            copyInstruction(code, pc, length, target, instruction, out);
            pc += length;
        }
        int at = code + codeLength;
        int handlers = u2(b, at);
        out.u2(handlers);
        at += 2;
        for (int h = 0; h < handlers; h++, at += 8) {
            out.u2(target[u2(b, at)]).u2(target[u2(b, at + 2)]).u2(target[u2(b, at + 4)]).u2(u2(b, at + 6));
        }
        int attributes = u2(b, at);
        out.u2(attributes);
        at += 2;
        for (int a = 0; a < attributes; a++) {
            int length = u4(b, at + 2);
            int start = out.size();
            out.u2(u2(b, at)).u4(0);
            int body = at + 6;
            if (cf.utf8Equals(u2(b, at), "LineNumberTable")) {
                int n = u2(b, body);
                out.u2(n);
                for (int i = 0; i < n; i++) {
                    out.u2(target[u2(b, body + 2 + 4 * i)]).u2(u2(b, body + 4 + 4 * i));
                }
            } else if (cf.utf8Equals(u2(b, at), "LocalVariableTable") || cf.utf8Equals(u2(b, at), "LocalVariableTypeTable")) {
                int n = u2(b, body);
                out.u2(n);
                for (int i = 0, e = body + 2; i < n; i++, e += 10) {
                    int from = u2(b, e);
                    out.u2(target[from]).u2(target[from + u2(b, e + 2)] - target[from]);
                    out.bytes(b, e + 4, 6);
                }
            } else if (cf.utf8Equals(u2(b, at), "StackMapTable")) {
                rewriteFrames(body, target, instruction, out);
            } else {
                throw new IllegalArgumentException("code attribute " + cf.utf8(u2(b, at)));
            }
            out.setU4(start + 2, out.size() - start - 6);
            at += 6 + length;
        }
        byte[] rewritten = out.toArray();
        ClassBytes.Builder length = new ClassBytes.Builder(4).u4(rewritten.length - 6);
        length.copyTo(rewritten, 2);
        return rewritten;
    }

    private void copyInstruction(int code, int pc, int length, int[] target, int[] instruction, ClassBytes.Builder out) {
        byte[] b = cf.b;
        int op = b[code + pc] & 0xFF;
        int from = instruction[pc];
        if ((op >= 0x99 && op <= 0xa8) || op == IFNULL || op == IFNONNULL) {
            int moved = target[pc + (short) u2(b, code + pc + 1)] - from;
            if (moved != (short) moved) {
                throw new IllegalArgumentException("branch out of 16-bit range");
            }
            out.u1(op).u2(moved);
        } else if (op == GOTO_W || op == JSR_W) {
            out.u1(op).u4(target[pc + u4(b, code + pc + 1)] - from);
        } else if (op == ClassBytes.TABLESWITCH || op == ClassBytes.LOOKUPSWITCH) {
            if ((from & 3) != (pc & 3)) {
                throw new IllegalArgumentException("switch alignment");
            }
            int base = pc + 1 + (3 - (pc & 3));
            out.bytes(b, code + pc, base - pc);
            out.u4(target[pc + u4(b, code + base)] - from);
            if (op == ClassBytes.TABLESWITCH) {
                int cases = u4(b, code + base + 8) - u4(b, code + base + 4) + 1;
                out.bytes(b, code + base + 4, 8);
                for (int i = 0; i < cases; i++) {
                    out.u4(target[pc + u4(b, code + base + 12 + 4 * i)] - from);
                }
            } else {
                int pairs = u4(b, code + base + 4);
                out.bytes(b, code + base + 4, 4);
                for (int i = 0; i < pairs; i++) {
                    out.bytes(b, code + base + 8 + 8 * i, 4);
                    out.u4(target[pc + u4(b, code + base + 12 + 8 * i)] - from);
                }
            }
        } else {
            out.bytes(b, code + pc, length);
        }
    }

    /** Re-encodes the frames at their new offsets; their contents stay, but {@code Uninitialized(offset)}. */
    private void rewriteFrames(int body, int[] target, int[] instruction, ClassBytes.Builder out) {
        byte[] b = cf.b;
        int frames = u2(b, body);
        out.u2(frames);
        int p = body + 2;
        int oldOffset = -1;
        int newOffset = -1;
        for (int f = 0; f < frames; f++) {
            int tag = b[p] & 0xFF;
            int delta;
            if (tag < 128) {
                delta = tag & 63;
                p += 1;
            } else if (tag >= 247) {
                delta = u2(b, p + 1);
                p += 3;
            } else {
                throw new IllegalArgumentException("frame type " + tag);
            }
            oldOffset = oldOffset < 0 ? delta : oldOffset + delta + 1;
            int moved = target[oldOffset];
            int newDelta = newOffset < 0 ? moved : moved - newOffset - 1;
            newOffset = moved;
            if (tag < 64) {
                if (newDelta < 64) {
                    out.u1(newDelta);
                } else {
                    out.u1(251).u2(newDelta); // same_frame_extended
                }
            } else if (tag < 128) {
                if (newDelta < 64) {
                    out.u1(64 + newDelta);
                } else {
                    out.u1(247).u2(newDelta); // same_locals_1_stack_item_frame_extended
                }
                p = copyType(p, instruction, out);
            } else {
                out.u1(tag).u2(newDelta);
                if (tag == 247) {
                    p = copyType(p, instruction, out);
                } else if (tag >= 252 && tag <= 254) {
                    for (int i = 0; i < tag - 251; i++) {
                        p = copyType(p, instruction, out);
                    }
                } else if (tag == 255) {
                    for (int list = 0; list < 2; list++) {
                        int n = u2(b, p);
                        out.u2(n);
                        p += 2;
                        for (int i = 0; i < n; i++) {
                            p = copyType(p, instruction, out);
                        }
                    }
                }
            }
        }
    }

    private int copyType(int p, int[] instruction, ClassBytes.Builder out) {
        byte[] b = cf.b;
        int type = b[p] & 0xFF;
        out.u1(type);
        if (type == 7) { // Object: a Class index
            out.u2(u2(b, p + 1));
            return p + 3;
        }
        if (type == 8) { // Uninitialized: the offset of its NEW
            out.u2(instruction[u2(b, p + 1)]);
            return p + 3;
        }
        if (type > 8) {
            throw new IllegalArgumentException("verification type " + type);
        }
        return p + 1;
    }

    /** The snippet's bytes, padded with NOPs to a multiple of four. */
    private byte[] encode(Snippet snippet) {
        ClassBytes.Builder out = new ClassBytes.Builder(16);
        for (Object[] op : snippet.ops) {
            int opcode = (Integer) op[0];
            if (op.length == 1) {
                out.u1(opcode);
            } else if (op.length == 2) {
                int slot = (Integer) op[1];
                if (slot <= 3) {
                    out.u1(0x1a + 4 * (opcode - 0x15) + slot); // iload_0 .. aload_3
                } else {
                    out.u1(opcode).u1(slot);
                }
            } else {
                int tag = opcode == ClassBytes.GETFIELD ? 9 : 10; // Fieldref, Methodref
                out.u1(opcode).u2(memberRef(tag, (String) op[1], (String) op[2], (String) op[3]));
            }
        }
        while ((out.size() & 3) != 0) {
            out.u1(NOP);
        }
        return out.toArray();
    }

    private int memberRef(int tag, String owner, String name, String descriptor) {
        String key = tag + " " + owner + "." + name + descriptor;
        Integer known = addedIndex.get(key);
        if (known != null) {
            return known;
        }
        int ownerClass = classEntry(owner);
        int nameIndex = utf8Entry(name);
        int descriptorIndex = utf8Entry(descriptor);
        added.u1(12).u2(nameIndex).u2(descriptorIndex);
        int nameAndType = next++;
        added.u1(tag).u2(ownerClass).u2(nameAndType);
        addedIndex.put(key, next);
        return next++;
    }

    private int classEntry(String internalName) {
        String key = "C " + internalName;
        Integer known = addedIndex.get(key);
        if (known != null) {
            return known;
        }
        int name = utf8Entry(internalName);
        added.u1(7).u2(name);
        addedIndex.put(key, next);
        return next++;
    }

    private int utf8Entry(String text) {
        String key = "U " + text;
        Integer known = addedIndex.get(key);
        if (known != null) {
            return known;
        }
        added.utf8(text);
        addedIndex.put(key, next);
        return next++;
    }
}
