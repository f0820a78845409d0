package dev.alloc.agent.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The in-place insertion gives, instruction for instruction, the code ASM's rewrite gives — on the
 * JDK classes the weavers touch (this JDK's and those of {@code ALLOC_TEST_JDKS}), and on odd
 * code that the verifier then accepts and runs.
 */
class CodeInserterTest {
    private static final String[] MAPPED = {MappedFileTransformer.CHANNEL, MappedFileTransformer.UNMAPPER,
            MappedFileTransformer.UNMAPPER_SUBCLASSES[0], MappedFileTransformer.UNMAPPER_SUBCLASSES[1]};

    @Test
    void weavesEveryJdksClassesAsAsmDoes() throws IOException {
        List<String> homes = new ArrayList<>(List.of(System.getProperty("java.home")));
        for (String home : System.getenv().getOrDefault("ALLOC_TEST_JDKS", "").split(",")) {
            if (!home.isBlank()) {
                homes.add(home.trim());
            }
        }
        int compared = 0;
        for (String home : homes) {
            try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", home))) {
                for (int i = 0; i < MAPPED.length; i++) {
                    byte[] original = read(jrt, "java.base", MAPPED[i]);
                    boolean channel = i == 0;
                    boolean unmapper = i == 1;
                    boolean subclass = i > 1;
                    int[] byInserter = new int[3];
                    int[] byAsm = new int[3];
                    byte[] inserted = MappedFileTransformer.insert(channel, unmapper, subclass, original, byInserter);
                    byte[] reference = MappedFileTransformer.AsmRewrite.rewrite(channel, unmapper, subclass, original, byAsm);
                    assertArrayEquals(byAsm, byInserter, home + " " + MAPPED[i]);
                    assertTrue(byInserter[0] + byInserter[1] + byInserter[2] > 0, home + " " + MAPPED[i]);
                    assertEquals(listing(reference), listing(inserted), home + " " + MAPPED[i]);
                    compared++;
                }
                byte[] linker = read(jrt, "java.base", DowncallTransformer.LINKER);
                if (linker != null) {
                    int[] woven = {0};
                    byte[] reference = DowncallTransformer.AsmRewrite.rewrite(linker, woven);
                    DowncallTransformer transformer = new DowncallTransformer(null);
                    byte[] inserted = transformer.transform(null, null, DowncallTransformer.LINKER, null, null, linker);
                    assertTrue(woven[0] > 0);
                    assertEquals(woven[0], transformer.wovenReturns(), home);
                    assertEquals(listing(reference), listing(inserted), home + " AbstractLinker");
                    compared++;
                }
                byte[] factory = read(jrt, "java.management", SubsystemHookTransformer.MANAGEMENT_FACTORY);
                assertEquals(listing(SubsystemHookTransformer.AsmRewrite.weave(factory, "getPlatformMBeanServer",
                                "()Ljavax/management/MBeanServer;", true)),
                        listing(SubsystemHookTransformer.insert(factory, "getPlatformMBeanServer",
                                "()Ljavax/management/MBeanServer;", true)), home + " ManagementFactory");
                byte[] recorder = read(jrt, "jdk.jfr", SubsystemHookTransformer.FLIGHT_RECORDER);
                assertEquals(listing(SubsystemHookTransformer.AsmRewrite.weave(recorder, "getFlightRecorder",
                                "()Ljdk/jfr/FlightRecorder;", false)),
                        listing(SubsystemHookTransformer.insert(recorder, "getFlightRecorder",
                                "()Ljdk/jfr/FlightRecorder;", false)), home + " FlightRecorder");
                compared += 2;
            }
        }
        assertTrue(compared >= 6 * homes.size(), "compared " + compared);
    }

    /**
     * Snippets at the entry (skipped by a loop back to offset 0), after calls (skipped by a branch
     * to the next instruction, inside a try range that ends there) and before returns reached by
     * branches and switches, in a method long enough for frame deltas to outgrow their compact
     * form, with a constructor call on an uninitialised object after a snippet: the verifier
     * accepts the result and it counts what ASM's rewrite counts.
     */
    @Test
    void keepsBranchesSwitchesHandlersAndFramesRight() throws Exception {
        byte[] original = oddCode();
        Counter.reset();
        String expected = run(asmRewrite(original));
        long[] asmCounts = Counter.counts();
        Counter.reset();
        byte[] inserted = CodeInserter.insert(original, oddEdits(), 2);
        String actual = run(inserted);
        assertEquals("7 4 5 -3", actual); // n = 5 loops once more, 1 and -6 build a StringBuilder, 2 goes to ret
        assertEquals(expected, actual);
        assertArrayEquals(asmCounts, Counter.counts());
        // entries (not repeated by the loop), calls of mark, returns (also those reached by branches)
        assertArrayEquals(new long[] {4, 13, 4}, asmCounts);
        assertEquals(listing(asmRewrite(original)), listing(inserted));
    }

    @Test
    void leavesUnchosenMethodsAloneAndRefusesWhatItCannotRead() {
        assertNull(CodeInserter.insert(oddCode(), (name, descriptor, access) -> null, 1));
        byte[] broken = oddCode();
        broken[10] = 99; // an unknown constant-pool tag
        assertThrows(IllegalArgumentException.class, () -> CodeInserter.insert(broken, oddEdits(), 1));
    }

    /** Counts the snippets' calls. */
    public static final class Counter {
        private static long entries;
        private static long afterCalls;
        private static long beforeReturns;

        public static void entry() {
            entries++;
        }

        public static void afterCall(long value) {
            afterCalls++;
        }

        public static Object beforeReturn(Object value) {
            beforeReturns++;
            return value;
        }

        public static long mark(long value) {
            return value + 1;
        }

        static void reset() {
            entries = 0;
            afterCalls = 0;
            beforeReturns = 0;
        }

        static long[] counts() {
            return new long[] {entries, afterCalls, beforeReturns};
        }
    }

    private static final String COUNTER = Counter.class.getName().replace('.', '/');

    /** The same edits as the ASM rewrite below. */
    private static CodeInserter.Edits oddEdits() {
        return (name, descriptor, access) -> !name.equals("run") ? null : new CodeInserter.MethodEdits() {
            @Override
            CodeInserter.Snippet atEntry() {
                return new CodeInserter.Snippet().call(Opcodes.INVOKESTATIC, COUNTER, "entry", "()V");
            }

            @Override
            CodeInserter.Snippet afterCall(String method, String desc) {
                return !method.equals("mark") ? null : new CodeInserter.Snippet().insn(Opcodes.DUP2)
                        .call(Opcodes.INVOKESTATIC, COUNTER, "afterCall", "(J)V");
            }

            @Override
            CodeInserter.Snippet beforeInstruction(int opcode) {
                return opcode != Opcodes.ARETURN ? null : new CodeInserter.Snippet()
                        .call(Opcodes.INVOKESTATIC, COUNTER, "beforeReturn", "(Ljava/lang/Object;)Ljava/lang/Object;");
            }
        };
    }

    private static byte[] asmRewrite(byte[] bytes) {
        return AsmMethods.rewrite(bytes, new AsmMethods.Rewrite() {
            @Override
            public MethodVisitor method(int access, String name, String descriptor, MethodVisitor next) {
                return !name.equals("run") ? next : new MethodVisitor(Opcodes.ASM9, next) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, COUNTER, "entry", "()V", false);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                        super.visitMethodInsn(opcode, owner, method, desc, itf);
                        if (method.equals("mark")) {
                            super.visitInsn(Opcodes.DUP2);
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, COUNTER, "afterCall", "(J)V", false);
                        }
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.ARETURN) {
                            super.visitMethodInsn(Opcodes.INVOKESTATIC, COUNTER, "beforeReturn",
                                    "(Ljava/lang/Object;)Ljava/lang/Object;", false);
                        }
                        super.visitInsn(opcode);
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        super.visitMaxs(maxStack + 2, maxLocals);
                    }
                };
            }
        });
    }

    /**
     * <pre>
     * static Object run(int n) {
     *   top: long acc = mark(n);            // a loop back to offset 0
     *   if (--n > 3) goto top;
     *   try { acc = mark(acc); } catch (RuntimeException e) { return e; }
     *   switch (n) { 0: return new StringBuilder().append(acc) ...; 1..2: goto ret; default: lookupswitch ... }
     *   ... 70 iinc to push frame deltas past 63 ...
     *   ret: Long r = Long.valueOf(acc); if (r != null) goto done; done: return r;
     *                                       // returns reached by branches: the snippet before them runs too
     * }
     * </pre>
     */
    private static byte[] oddCode() {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                return "java/lang/Object";
            }
        };
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "test/Odd", null, "java/lang/Object", null);
        MethodVisitor mv = cw.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "(I)Ljava/lang/Object;", null, null);
        mv.visitCode();
        Label top = new Label();
        Label tryStart = new Label();
        Label tryEnd = new Label();
        Label handler = new Label();
        Label ret = new Label();
        Label zero = new Label();
        Label other = new Label();
        mv.visitLabel(top);
        mv.visitLineNumber(10, top);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitInsn(Opcodes.I2L);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, COUNTER, "mark", "(J)J", false);
        mv.visitVarInsn(Opcodes.LSTORE, 1);
        mv.visitIincInsn(0, -1);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitInsn(Opcodes.ICONST_3);
        mv.visitJumpInsn(Opcodes.IF_ICMPGT, top);
        mv.visitTryCatchBlock(tryStart, tryEnd, handler, "java/lang/RuntimeException");
        mv.visitLabel(tryStart);
        mv.visitVarInsn(Opcodes.LLOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, COUNTER, "mark", "(J)J", false);
        mv.visitLabel(tryEnd);
        mv.visitVarInsn(Opcodes.LSTORE, 1);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitTableSwitchInsn(0, 2, other, zero, ret, ret);
        mv.visitLabel(handler);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitLabel(zero);
        mv.visitTypeInsn(Opcodes.NEW, "java/lang/StringBuilder");
        mv.visitInsn(Opcodes.DUP);
        mv.visitVarInsn(Opcodes.LLOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, COUNTER, "mark", "(J)J", false);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/String", "valueOf", "(J)Ljava/lang/String;", false);
        mv.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "(Ljava/lang/String;)V", false);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitLabel(other);
        mv.visitVarInsn(Opcodes.ILOAD, 0);
        mv.visitLookupSwitchInsn(ret, new int[] {-7, 1_000_003}, new Label[] {zero, ret});
        mv.visitLabel(ret);
        for (int i = 0; i < 70; i++) {
            mv.visitIincInsn(0, 1);
        }
        mv.visitVarInsn(Opcodes.LLOAD, 1);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, COUNTER, "mark", "(J)J", false);
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/Long", "valueOf", "(J)Ljava/lang/Long;", false);
        Label done = new Label();
        mv.visitInsn(Opcodes.DUP);
        mv.visitJumpInsn(Opcodes.IFNONNULL, done); // a branch straight to a return: its snippet must run
        mv.visitLabel(done);
        mv.visitInsn(Opcodes.ARETURN);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }

    /** {@code run(n)} for n = 5, 1, 2, -6, joined. */
    private static String run(byte[] bytes) throws Exception {
        ClassLoader loader = new ClassLoader(CodeInserterTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                if (!name.equals("test.Odd")) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length);
            }
        };
        Method run = loader.loadClass("test.Odd").getMethod("run", int.class);
        StringBuilder results = new StringBuilder();
        for (int n : new int[] {5, 1, 2, -6}) {
            results.append(results.length() == 0 ? "" : " ").append(run.invoke(null, n));
        }
        return results.toString();
    }

    /** Every method's instructions, frames, handlers, lines, locals and maxima as ASM reads them; NOPs left out. */
    static List<String> listing(byte[] bytes) {
        List<String> out = new ArrayList<>();
        Map<Label, String> labels = new IdentityHashMap<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                out.add("method " + name + descriptor);
                labels.clear();
                return new MethodVisitor(Opcodes.ASM9) {
                    private String l(Label label) {
                        return labels.computeIfAbsent(label, k -> "L" + labels.size());
                    }

                    private String types(int n, Object[] types) {
                        StringBuilder s = new StringBuilder();
                        for (int i = 0; i < n; i++) {
                            s.append(types[i] instanceof Label label ? l(label) : String.valueOf(types[i])).append(',');
                        }
                        return s.toString();
                    }

                    @Override
                    public void visitFrame(int type, int nLocal, Object[] local, int nStack, Object[] stack) {
                        out.add("frame " + type + " " + types(nLocal, local) + " / " + types(nStack, stack));
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode != Opcodes.NOP) {
                            out.add("insn " + opcode);
                        }
                    }

                    @Override
                    public void visitIntInsn(int opcode, int operand) {
                        out.add("int " + opcode + " " + operand);
                    }

                    @Override
                    public void visitVarInsn(int opcode, int varIndex) {
                        out.add("var " + opcode + " " + varIndex);
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        out.add("type " + opcode + " " + type);
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
                        out.add("field " + opcode + " " + owner + "." + name + descriptor);
                    }

                    @Override
                    public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean itf) {
                        out.add("call " + opcode + " " + owner + "." + name + descriptor);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String descriptor, org.objectweb.asm.Handle bsm,
                                                       Object... args) {
                        out.add("indy " + name + descriptor);
                    }

                    @Override
                    public void visitJumpInsn(int opcode, Label label) {
                        out.add("jump " + opcode + " " + l(label));
                    }

                    @Override
                    public void visitLabel(Label label) {
                        out.add("label " + l(label));
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        out.add("ldc " + value);
                    }

                    @Override
                    public void visitIincInsn(int varIndex, int increment) {
                        out.add("iinc " + varIndex + " " + increment);
                    }

                    @Override
                    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... targets) {
                        StringBuilder s = new StringBuilder("tableswitch " + min + " " + max + " " + l(dflt));
                        for (Label target : targets) {
                            s.append(' ').append(l(target));
                        }
                        out.add(s.toString());
                    }

                    @Override
                    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] targets) {
                        StringBuilder s = new StringBuilder("lookupswitch " + l(dflt));
                        for (int i = 0; i < keys.length; i++) {
                            s.append(' ').append(keys[i]).append(':').append(l(targets[i]));
                        }
                        out.add(s.toString());
                    }

                    @Override
                    public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
                        out.add("multianewarray " + descriptor + " " + numDimensions);
                    }

                    @Override
                    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                        out.add("try " + l(start) + " " + l(end) + " " + l(handler) + " " + type);
                    }

                    @Override
                    public void visitLocalVariable(String name, String descriptor, String signature, Label start,
                                                   Label end, int index) {
                        out.add("local " + name + " " + descriptor + " " + signature + " " + l(start) + " " + l(end) + " " + index);
                    }

                    @Override
                    public void visitLineNumber(int line, Label start) {
                        out.add("line " + line + " " + l(start));
                    }

                    @Override
                    public void visitMaxs(int maxStack, int maxLocals) {
                        out.add("maxs " + maxStack + " " + maxLocals);
                    }
                };
            }
        }, 0);
        return out;
    }

    private static byte[] read(FileSystem jrt, String module, String internalName) throws IOException {
        Path path = jrt.getPath("/modules", module, internalName + ".class");
        return Files.exists(path) ? Files.readAllBytes(path) : null;
    }
}
