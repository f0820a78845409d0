package dev.alloc.agent.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.runtime.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;

class ConstantPoolScanTest {
    private static final List<InterceptedCall> CALLS = InterceptedCall.forKinds(
            1 << Kind.DIRECT | 1 << Kind.UNSAFE | 1 << Kind.FFM, true);
    private final ConstantPoolScan scan = new ConstantPoolScan(CALLS);

    static final class Allocates {
        static final long BIG = 123_456_789_012L; // a Long constant takes two pool entries
        static final double HALF = 0.5;

        ByteBuffer make() {
            return ByteBuffer.allocateDirect((int) (BIG % 7 + HALF));
        }
    }

    static final class OnlyWraps {
        static final long BIG = 123_456_789_012L;

        ByteBuffer make() {
            return ByteBuffer.wrap(new byte[(int) (BIG % 7)]);
        }
    }

    static final class OnlyTheName {
        final String text = "allocateDirect";
    }

    /** Names the owner (a call of {@code wrap}) and the method (a string), but calls no allocation. */
    static final class BothApart {
        final String text = "allocateDirect";

        ByteBuffer make() {
            return ByteBuffer.wrap(new byte[text.length()]);
        }
    }

    private static byte[] bytes(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getName().replaceFirst(".*\\.", "") + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void needsBothAnOwnerAndAMethodName() throws IOException {
        assertTrue(scan.mentionsACall(bytes(Allocates.class)));
        assertFalse(scan.mentionsACall(bytes(OnlyWraps.class)));
        assertFalse(scan.mentionsACall(bytes(OnlyTheName.class)));
        assertFalse(scan.mentionsACall(bytes(BothApart.class)));
    }

    @Test
    void leavesWhatItCannotParseToTheRewrite() {
        assertTrue(scan.mentionsACall(new byte[] {1, 2, 3}));
        assertTrue(scan.mentionsACall("not a class file at all".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void findsTheMethodsThatCall() throws IOException {
        assertArrayEquals(new boolean[] {false, true}, scan.methodsCalling(bytes(Allocates.class)), "<init>, make");
        assertArrayEquals(new boolean[] {false, false}, scan.methodsCalling(bytes(BothApart.class)), "<init>, make");
        assertNull(scan.methodsCalling("not a class file at all".getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * On every class of java.base's java.nio and sun.nio.ch, the raw walk agrees with ASM: the
     * pool names a call or not, and per method, its code calls one or not.
     */
    @Test
    void agreesWithAsmOnJdkClasses() throws IOException {
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        int[] classes = new int[2];
        int[] methods = new int[2];
        for (String dir : List.of("/modules/java.base/java/nio", "/modules/java.base/sun/nio/ch")) {
            try (Stream<Path> files = Files.walk(jrt.getPath(dir))) {
                for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
                    byte[] bytes = Files.readAllBytes(file);
                    boolean expected = viaAsm(bytes);
                    assertEquals(expected, scan.mentionsACall(bytes), file.toString());
                    classes[expected ? 1 : 0]++;
                    List<List<String[]>> calls = AsmCalls.perMethod(bytes);
                    boolean[] found = scan.methodsCalling(bytes);
                    assertEquals(calls.size(), found.length, file.toString());
                    for (int m = 0; m < found.length; m++) {
                        assertEquals(callsOne(calls.get(m)), found[m], file + " method " + m);
                        methods[found[m] ? 1 : 0]++;
                    }
                }
            }
        }
        assertTrue(classes[0] > 100 && classes[1] > 3, "classes without and with a call: " + classes[0] + ", " + classes[1]);
        assertTrue(methods[0] > 1000 && methods[1] > 5, "methods without and with a call: " + methods[0] + ", " + methods[1]);
    }

    private static boolean callsOne(List<String[]> calls) {
        for (String[] call : calls) {
            for (InterceptedCall intercepted : CALLS) {
                if (intercepted.matches(call[1], call[2])) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether ASM's parse of the pool finds a method reference to one of the calls. */
    private static boolean viaAsm(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        char[] buffer = new char[reader.getMaxStringLength()];
        for (int item = 1; item < reader.getItemCount(); item++) {
            int offset = reader.getItem(item);
            if (offset > 0 && (bytes[offset - 1] == 10 || bytes[offset - 1] == 11)) {
                String owner = reader.readClass(offset, buffer);
                String name = reader.readUTF8(reader.getItem(reader.readUnsignedShort(offset + 2)), buffer);
                for (InterceptedCall call : CALLS) {
                    if (call.matches(owner, name)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
