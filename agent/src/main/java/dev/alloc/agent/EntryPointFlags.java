package dev.alloc.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Build time ({@code agent/pom.xml}, after compiling): marks {@link AllocAgent#premain} and
 * {@link AllocAgent#agentmain} {@code ACC_VARARGS} in the class file, which javac cannot write for
 * a last parameter that is not an array.
 *
 * <p>Why: the JDK calls the entry point by reflection ({@code Method.invoke}). On JDK 18 and
 * later that spins method handles for the call: seven {@code LambdaForm} classes generated, with
 * their stack maps, by the class-file API at every start, over 10 ms of the start-up of any
 * agent, and on JDK 25 enough runs of the class-file API's {@code StackMapGenerator} that C1
 * compiles it in the start's last moments (several MiB of compiler arena that stay resident). A
 * method flagged variable-arity whose last parameter is not an array is one that method handles
 * cannot call with fixed arity, so the JDK calls it through its native accessor instead
 * ({@code MethodHandleAccessorFactory.useNativeAccessor}); the JVM itself ignores the flag.
 * Nothing else reads it: no caller is compiled against these methods.
 */
public final class EntryPointFlags {
    private static final String DESCRIPTOR = "(Ljava/lang/String;Ljava/lang/instrument/Instrumentation;)V";

    private EntryPointFlags() {
    }

    /** {@code args[0]}: the compiled {@code AllocAgent.class}, rewritten in place. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        Files.write(file, flagged(Files.readAllBytes(file)));
    }

    /** The class file with its two entry points marked {@code ACC_VARARGS}; the rest as it was. */
    static byte[] flagged(byte[] classFile) {
        ClassReader reader = new ClassReader(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        int[] flagged = {0};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                boolean entryPoint = (name.equals("premain") || name.equals("agentmain")) && descriptor.equals(DESCRIPTOR)
                        && (access & Opcodes.ACC_STATIC) != 0;
                if (entryPoint) {
                    flagged[0]++;
                }
                return super.visitMethod(entryPoint ? access | Opcodes.ACC_VARARGS : access, name, descriptor, signature,
                        exceptions);
            }
        }, 0);
        if (flagged[0] != 2) {
            throw new IllegalStateException("expected premain and agentmain in the class, found " + flagged[0]);
        }
        return writer.toByteArray();
    }
}
