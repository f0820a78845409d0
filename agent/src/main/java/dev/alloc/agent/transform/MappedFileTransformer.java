package dev.alloc.agent.transform;

import dev.alloc.runtime.report.Log;
import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicInteger;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Weaves the {@code mapped} kind's choke points into {@code sun.nio.ch.FileChannelImpl}, where
 * both {@code FileChannel.map} and (on JDK 22+) FFM file mappings pass, at the points where the
 * JDK keeps its own "mapped" buffer pool statistics, so the two totals agree:
 * <ul>
 *   <li>{@code mapInternal(mode, position, size, prot, isSync)}, on entry: {@code JdkHooks.mapping(size)},
 *       which applies {@code limit.mapped} before anything is mapped;</li>
 *   <li>each {@code Unmapper} subclass's constructor, after its {@code incrementStats()}:
 *       {@code JdkHooks.mapped(address(), size)};</li>
 *   <li>{@code Unmapper.unmap()}, right after the native unmap ({@code unmap0} on 17,
 *       {@code FileDispatcher.unmap} on 25), while {@code address()} still holds the address:
 *       {@code JdkHooks.unmapped(address())}.</li>
 * </ul>
 * Only calls are inserted, no branch, so no stack map frame's contents change. The code is
 * inserted in place ({@link CodeInserter}); ASM does it for a class file the inserter does not
 * understand. It counts what it wove, so the installer turns the kind off with a warning on a
 * JDK whose code differs.
 */
public final class MappedFileTransformer implements ClassFileTransformer {
    public static final String CHANNEL = "sun/nio/ch/FileChannelImpl";
    public static final String UNMAPPER = CHANNEL + "$Unmapper";
    public static final String[] UNMAPPER_SUBCLASSES = {CHANNEL + "$DefaultUnmapper", CHANNEL + "$SyncUnmapper"};
    private static final String MAP_INTERNAL_DESC = "(Ljava/nio/channels/FileChannel$MapMode;JJIZ)L" + UNMAPPER + ";";
    private static final String HOOKS = ChokePointTransformer.HOOKS;

    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicInteger maps = new AtomicInteger();
    private final AtomicInteger unmaps = new AtomicInteger();
    /** Weaving at first load (not yet checked by the installer): each class only with its part; one failure ends it. */
    private volatile boolean checkEachClass;
    private volatile boolean failed;

    /**
     * From now on each class is woven only if its own part is found in it (the check in
     * {@code FileChannelImpl}, the count in each unmapper's constructor, the uncount in
     * {@code Unmapper.unmap}); a class without it is left alone, with one warning, and so is every
     * class after it. For classes woven at their first load, after the installer's check.
     */
    public void checkEachClass() {
        checkEachClass = true;
    }

    /** Whether the check before mapping, the count of a mapping and of an unmapping were all woven. */
    public boolean wovenCompletely() {
        return checks.get() > 0 && maps.get() > 0 && unmaps.get() > 0;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
                            ProtectionDomain protectionDomain, byte[] classfileBuffer) {
        if (loader != null || className == null || !className.startsWith(CHANNEL)) {
            return null;
        }
        boolean channel = className.equals(CHANNEL);
        boolean unmapper = className.equals(UNMAPPER);
        boolean subclass = className.equals(UNMAPPER_SUBCLASSES[0]) || className.equals(UNMAPPER_SUBCLASSES[1]);
        if (!channel && !unmapper && !subclass || failed) {
            return null;
        }
        int[] woven = new int[3];
        byte[] rewritten;
        try {
            rewritten = insert(channel, unmapper, subclass, classfileBuffer, woven);
        } catch (RuntimeException unexpectedLayout) {
            rewritten = null; // then ASM, which reads any valid class file
            woven = new int[3];
            try {
                AsmLoading.beforeFirstUse();
                rewritten = AsmRewrite.rewrite(channel, unmapper, subclass, classfileBuffer, woven);
            } catch (Throwable e) {
                woven = new int[3];
            }
        }
        if (checkEachClass && (channel ? woven[0] : unmapper ? woven[2] : woven[1]) == 0) {
            failed = true;
            Log.warn("this JDK's " + className.replace('/', '.') + " differs from what the agent knows;"
                    + " mapped memory is not tracked from now on");
            return null;
        }
        count(woven);
        return rewritten;
    }

    private void count(int[] woven) {
        checks.addAndGet(woven[0]);
        maps.addAndGet(woven[1]);
        unmaps.addAndGet(woven[2]);
    }

    /** Counts into {@code woven}: checks, maps, unmaps. */
    static byte[] insert(boolean channel, boolean unmapper, boolean subclass, byte[] bytes, int[] woven) {
        return CodeInserter.insert(bytes, new CodeInserter.Edits() {
            @Override
            public CodeInserter.MethodEdits forMethod(String name, String descriptor, int access) {
                boolean mapInternal = channel && name.equals("mapInternal") && descriptor.equals(MAP_INTERNAL_DESC);
                boolean unmap = unmapper && name.equals("unmap") && descriptor.equals("()V");
                boolean constructor = subclass && name.equals("<init>");
                if (!mapInternal && !unmap && !constructor) {
                    return null;
                }
                return new CodeInserter.MethodEdits() {
                    @Override
                    CodeInserter.Snippet atEntry() {
                        if (!mapInternal) {
                            return null;
                        }
                        woven[0]++;
                        // size: this, mode, position (2 slots), size
                        return new CodeInserter.Snippet().load(Opcodes.LLOAD, 4)
                                .call(Opcodes.INVOKESTATIC, HOOKS, "mapping", "(J)V");
                    }

                    @Override
                    CodeInserter.Snippet afterCall(String method, String desc) {
                        if (constructor && method.equals("incrementStats") && desc.equals("()V")) {
                            woven[1]++;
                            return address().load(Opcodes.ALOAD, 0).getField(UNMAPPER, "size", "J")
                                    .call(Opcodes.INVOKESTATIC, HOOKS, "mapped", "(JJ)V");
                        }
                        if (unmap && (method.equals("unmap0") || method.equals("unmap")) && desc.equals("(JJ)I")) {
                            woven[2]++;
                            return address().call(Opcodes.INVOKESTATIC, HOOKS, "unmapped", "(J)V");
                        }
                        return null;
                    }

                    private CodeInserter.Snippet address() {
                        return new CodeInserter.Snippet().load(Opcodes.ALOAD, 0)
                                .call(Opcodes.INVOKEVIRTUAL, UNMAPPER, "address", "()J");
                    }
                };
            }
        }, 5);
    }

    /**
     * The same rewrite with ASM: the fallback, and the reference the inserter is tested against.
     * A class of its own, so that verifying the transformer loads no ASM class.
     */
    static final class AsmRewrite {
        private AsmRewrite() {
        }

        static byte[] rewrite(boolean channel, boolean unmapper, boolean subclass, byte[] bytes, int[] woven) {
            boolean[] changed = {false};
            byte[] rewritten = AsmMethods.rewrite(bytes, new AsmMethods.Rewrite() {
                @Override
                public MethodVisitor method(int access, String name, String descriptor, MethodVisitor next) {
                    boolean mapInternal = channel && name.equals("mapInternal") && descriptor.equals(MAP_INTERNAL_DESC);
                    boolean unmap = unmapper && name.equals("unmap") && descriptor.equals("()V");
                    boolean constructor = subclass && name.equals("<init>");
                    if (!mapInternal && !unmap && !constructor) {
                        return next;
                    }
                    return new MethodVisitor(Opcodes.ASM9, next) {
                        @Override
                        public void visitCode() {
                            super.visitCode();
                            if (mapInternal) {
                                super.visitVarInsn(Opcodes.LLOAD, 4); // size: this, mode, position (2 slots), size
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "mapping", "(J)V", false);
                                woven[0]++;
                                changed[0] = true;
                            }
                        }

                        @Override
                        public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean itf) {
                            super.visitMethodInsn(opcode, owner, method, desc, itf);
                            if (constructor && method.equals("incrementStats") && desc.equals("()V")) {
                                pushAddress();
                                super.visitVarInsn(Opcodes.ALOAD, 0);
                                super.visitFieldInsn(Opcodes.GETFIELD, UNMAPPER, "size", "J");
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "mapped", "(JJ)V", false);
                                woven[1]++;
                                changed[0] = true;
                            } else if (unmap && (method.equals("unmap0") || method.equals("unmap")) && desc.equals("(JJ)I")) {
                                pushAddress();
                                super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOKS, "unmapped", "(J)V", false);
                                woven[2]++;
                                changed[0] = true;
                            }
                        }

                        private void pushAddress() {
                            super.visitVarInsn(Opcodes.ALOAD, 0);
                            super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, UNMAPPER, "address", "()J", false);
                        }

                        @Override
                        public void visitMaxs(int maxStack, int maxLocals) {
                            super.visitMaxs(maxStack + 5, maxLocals);
                        }
                    };
                }
            });
            return changed[0] ? rewritten : null;
        }
    }
}
