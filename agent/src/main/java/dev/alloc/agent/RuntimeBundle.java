package dev.alloc.agent;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.objectweb.asm.ClassReader;

/**
 * The runtime's classes in one entry of the agent jar, written at build time ({@link #main}):
 * the start-up reads one entry instead of walking the jar's ~280 entries and inflating ~80 of
 * them one by one (~20 ms of the start-up in the interpreter), and defines each class once, in
 * an order where every class comes after its supertypes (no failed definition waiting for its
 * supertype). The classes defined at start come first, so the start inflates only them (~170 of
 * the ~340 KB), each straight into its own array.
 *
 * <p>Format: {@code u4 eagerCount}, {@code u4 count}, then per class {@code u2 nameLength}, the
 * entry name ({@code dev/alloc/.../X.class}) in ASCII, {@code u4 length}, the class file. Which
 * classes are lazy is {@link RuntimeJar}'s choice; so is leaving out the JFR side on a JVM
 * without {@code jdk.jfr}.
 */
public final class RuntimeBundle {
    /** The entry's name in the agent jar. */
    static final String ENTRY = "dev/alloc/agent/runtime.classes";

    private RuntimeBundle() {
    }

    /**
     * Entry name to class bytes, supertypes first: the eager classes, and the lazy ones too
     * unless {@code eagerOnly}; null when the jar has no bundle (the caller walks the jar).
     */
    static Map<String, byte[]> read(JarFile agentJar, boolean eagerOnly) throws IOException {
        try (Entries entries = Entries.open(agentJar, eagerOnly)) {
            if (entries == null) {
                return null;
            }
            Map<String, byte[]> classes = new LinkedHashMap<>(entries.count * 2);
            while (entries.next()) {
                classes.put(entries.entryName(), Arrays.copyOf(entries.bytes(), entries.length()));
            }
            return classes;
        }
    }

    /**
     * The bundle's classes one at a time, supertypes first, each read into one buffer that the
     * next reuses: the start defines each class straight from it and keeps no array per class
     * (~170 KB of heap pages it no longer touches).
     */
    static final class Entries implements Closeable {
        private final InputStream in;
        private final int count;
        private int done;
        private final byte[] header = new byte[8];
        private byte[] name = new byte[256];
        /** Larger than the largest runtime class (Accounting, 17 KB). */
        private byte[] bytes = new byte[24 * 1024];
        private String entryName;
        private int length;

        private Entries(InputStream in, boolean eagerOnly) throws IOException {
            this.in = in;
            readFully(in, header, 8);
            count = eagerOnly ? u4(header, 0) : u4(header, 4);
        }

        /** The eager classes (and the lazy ones unless {@code eagerOnly}); null when the jar has no bundle. */
        static Entries open(JarFile agentJar, boolean eagerOnly) throws IOException {
            ZipEntry entry = agentJar.getEntry(ENTRY);
            if (entry == null) {
                return null;
            }
            InputStream in = agentJar.getInputStream(entry);
            try {
                return new Entries(in, eagerOnly);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        /** Reads the next class; false after the last. */
        boolean next() throws IOException {
            if (done == count) {
                return false;
            }
            done++;
            readFully(in, header, 2);
            int nameLength = (header[0] & 0xff) << 8 | header[1] & 0xff;
            if (nameLength > name.length) {
                name = new byte[nameLength];
            }
            readFully(in, name, nameLength);
            readFully(in, header, 4);
            length = u4(header, 0);
            if (length > bytes.length) {
                bytes = new byte[length];
            }
            readFully(in, bytes, length);
            char[] chars = new char[nameLength]; // ASCII: no charset class at start
            for (int c = 0; c < nameLength; c++) {
                chars[c] = (char) name[c];
            }
            entryName = new String(chars);
            return true;
        }

        /** The class's entry name ({@code dev/alloc/.../X.class}). */
        String entryName() {
            return entryName;
        }

        /** The class file, in {@code [0, length())}; overwritten by the next {@link #next}. */
        byte[] bytes() {
            return bytes;
        }

        int length() {
            return length;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static void readFully(InputStream in, byte[] into, int length) throws IOException {
        if (in.readNBytes(into, 0, length) != length) {
            throw new IOException("the agent jar's " + ENTRY + " is cut short");
        }
    }

    private static int u4(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    /**
     * Build time ({@code agent/pom.xml}, before the jar is shaded): writes the bundle of the
     * runtime classes found where {@code dev.alloc.runtime.OffHeap} was loaded from (the runtime
     * module's classes directory or jar) to {@code args[0]}.
     */
    public static void main(String[] args) throws IOException, URISyntaxException {
        Build.write(Path.of(args[0]));
    }

    /** A class of its own: verifying {@code RuntimeBundle} at start loads nothing of the build's (ASM, streams). */
    private static final class Build {
        private Build() {
        }

        static void write(Path to) throws IOException, URISyntaxException {
            Path from = Path.of(dev.alloc.runtime.OffHeap.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Map<String, byte[]> found = new TreeMap<>(); // sorted: the same bundle from the same classes
            if (Files.isDirectory(from)) {
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path file : (Iterable<Path>) files::iterator) {
                        String name = from.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                        if (RuntimeJar.isRuntimeClass(name)) {
                            found.put(name, Files.readAllBytes(file));
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(from.toFile())) {
                    for (JarEntry entry : (Iterable<JarEntry>) jar.stream()::iterator) {
                        if (RuntimeJar.isRuntimeClass(entry.getName())) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                found.put(entry.getName(), in.readAllBytes());
                            }
                        }
                    }
                }
            }
            List<String> order = new ArrayList<>();
            for (String name : found.keySet()) {
                if (!RuntimeJar.isLazy(name)) {
                    addAfterSupertypes(name, found, order);
                }
            }
            int eager = order.size();
            for (String name : found.keySet()) {
                addAfterSupertypes(name, found, order);
            }
            for (String name : order.subList(0, eager)) {
                if (RuntimeJar.isLazy(name)) {
                    throw new IllegalStateException("a class defined at start extends a lazy one: " + name);
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(eager);
                out.writeInt(order.size());
                for (String name : order) {
                    out.writeShort(name.length());
                    out.writeBytes(name);
                    out.writeInt(found.get(name).length);
                    out.write(found.get(name));
                }
            }
            Files.createDirectories(to.getParent());
            Files.write(to, bytes.toByteArray());
        }

        private static void addAfterSupertypes(String name, Map<String, byte[]> found, List<String> order) {
            if (order.contains(name) || !found.containsKey(name)) {
                return;
            }
            ClassReader reader = new ClassReader(found.get(name));
            List<String> supertypes = new ArrayList<>(List.of(reader.getInterfaces()));
            if (reader.getSuperName() != null) {
                supertypes.add(reader.getSuperName());
            }
            for (String supertype : supertypes) {
                addAfterSupertypes(supertype + ".class", found, order);
            }
            order.add(name);
        }
    }
}
