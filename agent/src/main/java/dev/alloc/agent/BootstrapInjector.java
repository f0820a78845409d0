package dev.alloc.agent;

import dev.alloc.runtime.Log;
import java.io.File;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Makes the runtime's classes ({@code dev.alloc} outside {@code dev.alloc.agent}) classes of the
 * bootstrap class loader, so that JDK classes can call them.
 *
 * <p>They are defined one by one with {@code jdk.internal.misc.Unsafe.defineClass} and a null
 * loader rather than by appending a jar to the bootstrap search path: appending makes the JVM
 * print a class-data-sharing warning at every start and turns CDS off for application classes.
 * A class whose supertype is not defined yet fails with {@code NoClassDefFoundError} and is
 * tried again after the others.
 *
 * <p>The agent is compiled with {@code --release 17}, which cannot name {@code jdk.internal.misc},
 * and a reflective call would cost the start-up its first {@code Method.invoke} (on JDK 18+ that
 * spins method handles: ~100 classes and tens of milliseconds on JDK 25). So the one call is
 * made by a five-instruction class generated here ({@link #definerBytes}), defined in this
 * package with {@link MethodHandles.Lookup#defineClass} after {@code jdk.internal.misc} has been
 * exported to the agent's module.
 */
final class BootstrapInjector {
    /** Defines a class in the bootstrap loader; implemented by the generated class. */
    interface Definer {
        Class<?> define(String binaryName, byte[] bytes);
    }

    private static final String DEFINER = "dev/alloc/agent/BootstrapInjector$UnsafeDefiner";
    private static final String DEFINER_INTERFACE = "dev/alloc/agent/BootstrapInjector$Definer";
    /** Set by the generated class's static initialiser. */
    static Definer definer;

    BootstrapInjector() throws ReflectiveOperationException {
        // exportInternalMiscTo(agent module) must have run: the generated class links to jdk.internal.misc.
        if (definer == null) {
            Class<?> generated = MethodHandles.lookup().defineClass(definerBytes());
            Class.forName(generated.getName(), true, generated.getClassLoader());
        }
    }

    /** The agent jar, for the packages defined later. */
    private static volatile File agentJarFile;

    /** Defines every runtime class found in {@code agentJar} but the lazy packages; returns how many. */
    int injectRuntime(File jar, JarFile agentJar) throws IOException {
        agentJarFile = jar;
        return define(RuntimeJar.eagerClasses(agentJar));
    }

    /** Remembers the agent jar when an earlier start already defined the runtime. */
    static void runtimeDefinedFrom(File jar) {
        if (agentJarFile == null) {
            agentJarFile = jar;
        }
    }

    /**
     * Defines the runtime classes under {@code packagePrefix} (an entry name prefix, one of
     * {@link RuntimeJar}'s lazy packages) unless already defined. Never throws: a failure leaves
     * that side of the agent off, with one warning.
     */
    static synchronized void injectPackage(String packagePrefix) {
        File jar = agentJarFile;
        if (jar == null) {
            return; // the runtime came from the bootstrap search path, with every class
        }
        try (JarFile agentJar = new JarFile(jar)) {
            new BootstrapInjector().define(RuntimeJar.classes(agentJar, packagePrefix, false));
        } catch (Throwable e) {
            Log.warn("cannot define the agent's " + packagePrefix + " classes: " + e);
        }
    }

    private int define(Map<String, byte[]> classes) {
        Map<String, byte[]> pending = classes;
        int defined = 0;
        while (!pending.isEmpty()) {
            List<String> done = new ArrayList<>();
            Throwable lastFailure = null;
            for (Map.Entry<String, byte[]> entry : pending.entrySet()) {
                try {
                    definer.define(entry.getKey(), entry.getValue());
                    done.add(entry.getKey());
                } catch (LinkageError e) {
                    if (isAlreadyDefined(e)) {
                        done.add(entry.getKey());
                    } else {
                        lastFailure = e; // most likely a supertype not defined yet
                    }
                }
            }
            if (done.isEmpty()) {
                throw new IllegalStateException("cannot define " + pending.keySet() + " in the bootstrap loader",
                        lastFailure);
            }
            for (String name : done) {
                pending.remove(name);
            }
            defined += done.size();
        }
        return defined;
    }

    private static boolean isAlreadyDefined(Throwable failure) {
        return String.valueOf(failure.getMessage()).contains("duplicate class definition");
    }

    /**
     * <pre>
     * final class BootstrapInjector$UnsafeDefiner implements Definer {
     *     static { BootstrapInjector.definer = new BootstrapInjector$UnsafeDefiner(); }
     *     public Class define(String name, byte[] b) {
     *         return jdk.internal.misc.Unsafe.getUnsafe().defineClass(name, b, 0, b.length, null, null);
     *     }
     * }
     * </pre>
     */
    static byte[] definerBytes() {
        String unsafe = "jdk/internal/misc/Unsafe";
        String definerType = "L" + DEFINER_INTERFACE + ";";
        ClassWriter cw = new ClassWriter(0);
        cw.visit(Opcodes.V17, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER, DEFINER, null, "java/lang/Object",
                new String[] {DEFINER_INTERFACE});
        MethodVisitor init = cw.visitMethod(0, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(1, 1);
        init.visitEnd();
        MethodVisitor clinit = cw.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
        clinit.visitCode();
        clinit.visitTypeInsn(Opcodes.NEW, DEFINER);
        clinit.visitInsn(Opcodes.DUP);
        clinit.visitMethodInsn(Opcodes.INVOKESPECIAL, DEFINER, "<init>", "()V", false);
        clinit.visitFieldInsn(Opcodes.PUTSTATIC, "dev/alloc/agent/BootstrapInjector", "definer", definerType);
        clinit.visitInsn(Opcodes.RETURN);
        clinit.visitMaxs(2, 0);
        clinit.visitEnd();
        MethodVisitor define = cw.visitMethod(Opcodes.ACC_PUBLIC, "define", "(Ljava/lang/String;[B)Ljava/lang/Class;",
                null, null);
        define.visitCode();
        define.visitMethodInsn(Opcodes.INVOKESTATIC, unsafe, "getUnsafe", "()L" + unsafe + ";", false);
        define.visitVarInsn(Opcodes.ALOAD, 1);
        define.visitVarInsn(Opcodes.ALOAD, 2);
        define.visitInsn(Opcodes.ICONST_0);
        define.visitVarInsn(Opcodes.ALOAD, 2);
        define.visitInsn(Opcodes.ARRAYLENGTH);
        define.visitInsn(Opcodes.ACONST_NULL);
        define.visitInsn(Opcodes.ACONST_NULL);
        define.visitMethodInsn(Opcodes.INVOKEVIRTUAL, unsafe, "defineClass",
                "(Ljava/lang/String;[BIILjava/lang/ClassLoader;Ljava/security/ProtectionDomain;)Ljava/lang/Class;", false);
        define.visitInsn(Opcodes.ARETURN);
        define.visitMaxs(7, 3);
        define.visitEnd();
        cw.visitEnd();
        return cw.toByteArray();
    }
}
