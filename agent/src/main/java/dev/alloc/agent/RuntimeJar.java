package dev.alloc.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/** The runtime's classes inside the agent jar: {@code dev/alloc/**} outside {@code dev/alloc/agent/}. */
final class RuntimeJar {
    /** The Flight Recorder side: left out on a JVM without the jdk.jfr module (jlink), where its supertypes do not exist. */
    private static final String JFR_PACKAGE = "dev/alloc/runtime/jfr/";
    private static final boolean WITH_JFR = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private RuntimeJar() {
    }

    /**
     * Packages defined only when first needed ({@link BootstrapInjector#injectPackage}): the JMX
     * side when the platform MBean server starts, the Flight Recorder side when the recorder does.
     * Nothing else in the runtime names their classes.
     */
    static final String JMX_PACKAGE = "dev/alloc/runtime/jmx/";
    /**
     * The {@code malloc} kind's side ({@code MallocDowncalls} and its nested classes,
     * {@code MallocHooks}): named only by the code woven into the FFM linker, so defined when
     * the linker is woven ({@link MallocWeaver}), before that code can run.
     */
    static final String MALLOC_CLASSES = "dev/alloc/runtime/Malloc";
    static final String LAZY_JFR_PACKAGE = JFR_PACKAGE;
    /**
     * The pools, defined only when {@code strategy=} asks for one (33 of its 35 classes, which
     * {@code strategy=system} never uses), with the one runtime class outside the package that
     * implements a pool type, {@link #POOL_LISTENER}. Only {@code Accounting.create} names them
     * on a path that runs without a pool, after its {@code strategy=system} check.
     */
    static final String POOL_PACKAGE = "dev/alloc/runtime/pool/";
    private static final String POOL_LISTENER = "dev/alloc/runtime/MisuseReports";
    /**
     * The pool types that eager classes name in their signatures ({@code OffHeap.poolStatistics()},
     * {@code PoolMemory}'s pool field): defined at start all the same, so that reflection on
     * those classes ({@code getMethods()} resolves every signature) works without a pool.
     */
    private static final String[] POOL_TYPES_IN_SIGNATURES = {
        POOL_PACKAGE + "PoolStatistics.class", POOL_PACKAGE + "NativeAllocator.class"};

    static boolean isLazy(String entryName) {
        if (entryName.startsWith(POOL_PACKAGE)) {
            for (String eager : POOL_TYPES_IN_SIGNATURES) {
                if (entryName.equals(eager)) {
                    return false;
                }
            }
            return true;
        }
        return entryName.startsWith(JMX_PACKAGE) || entryName.startsWith(LAZY_JFR_PACKAGE)
                || entryName.startsWith(POOL_LISTENER) || entryName.startsWith(MALLOC_CLASSES);
    }

    /** Whether the entry is defined with the classes under {@code prefix}. */
    private static boolean isUnder(String entryName, String prefix) {
        return entryName.startsWith(prefix) || (prefix.equals(POOL_PACKAGE) && entryName.startsWith(POOL_LISTENER));
    }

    static boolean isRuntimeClass(String entryName) {
        return entryName.startsWith("dev/alloc/") && entryName.endsWith(".class")
                && !entryName.startsWith("dev/alloc/agent/") && !entryName.endsWith("module-info.class")
                && !entryName.endsWith("package-info.class")
                && (WITH_JFR || !entryName.startsWith(JFR_PACKAGE));
    }

    /** Binary class name to class bytes, for every runtime class (supertypes first when the jar has a {@link RuntimeBundle}). */
    static Map<String, byte[]> classes(JarFile agentJar) throws IOException {
        return classes(agentJar, "dev/alloc/", false);
    }

    /** The runtime classes defined at start: all but the lazy packages. */
    static Map<String, byte[]> eagerClasses(JarFile agentJar) throws IOException {
        return classes(agentJar, "dev/alloc/", true);
    }

    /**
     * Binary class name to class bytes, for the runtime classes under {@code prefix} (an entry
     * name prefix), without the lazy packages if {@code eagerOnly}.
     */
    static Map<String, byte[]> classes(JarFile agentJar, String prefix, boolean eagerOnly) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        Map<String, byte[]> bundle = RuntimeBundle.read(agentJar, eagerOnly);
        if (bundle != null) {
            for (Map.Entry<String, byte[]> entry : bundle.entrySet()) {
                String entryName = entry.getKey();
                if (isRuntimeClass(entryName) && isUnder(entryName, prefix) && !(eagerOnly && isLazy(entryName))) {
                    classes.put(binaryName(entryName), entry.getValue());
                }
            }
            return classes;
        }
        for (Enumeration<JarEntry> entries = agentJar.entries(); entries.hasMoreElements();) {
            JarEntry entry = entries.nextElement();
            String entryName = entry.getName();
            if (isRuntimeClass(entryName) && isUnder(entryName, prefix) && !(eagerOnly && isLazy(entryName))) {
                try (InputStream in = agentJar.getInputStream(entry)) {
                    classes.put(binaryName(entryName), read(in, entry.getSize()));
                }
            }
        }
        return classes;
    }

    /** Whether the entry is a runtime class defined at start (not in a lazy package). */
    static boolean isEager(String entryName) {
        return isRuntimeClass(entryName) && !isLazy(entryName);
    }

    static String binaryName(String entryName) {
        return entryName.substring(0, entryName.length() - ".class".length()).replace('/', '.');
    }

    /**
     * The entry's bytes in one array of its size ({@code readAllBytes} goes through a 16 KiB
     * buffer per entry: a megabyte of garbage, resident heap pages, at every start).
     */
    static byte[] read(InputStream in, long size) throws IOException {
        if (size < 0 || size > Integer.MAX_VALUE) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[(int) size];
        int done = in.readNBytes(bytes, 0, bytes.length);
        if (done != bytes.length || in.read() != -1) {
            throw new IOException("the agent jar's entry is not " + size + " bytes long");
        }
        return bytes;
    }

    /** Writes the runtime's classes to a temporary jar (deleted at exit) for the bootstrap search path. */
    static File extract(JarFile agentJar) throws IOException {
        File file = File.createTempFile("alloc-runtime", ".jar");
        file.deleteOnExit();
        try (JarOutputStream out = new JarOutputStream(new java.io.FileOutputStream(file))) {
            for (Map.Entry<String, byte[]> entry : classes(agentJar).entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey().replace('.', '/') + ".class"));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
        return file;
    }
}
