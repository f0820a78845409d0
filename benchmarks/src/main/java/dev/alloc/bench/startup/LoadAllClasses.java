package dev.alloc.bench.startup;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads (without initialising) every class of a jar through a fresh class loader and prints
 * {@code classes=<n> failed=<n> nanos=<t>}. Every class passes through the agent's
 * transformers, so this measures what the call-site transformer costs a class that has no
 * allocation call (most of them). The list of names is read before the clock starts.
 */
public final class LoadAllClasses {
    private LoadAllClasses() {
    }

    public static void main(String[] args) throws Exception {
        File jar = new File(args[0]);
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar)) {
            for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements();) {
                String name = entries.nextElement().getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")
                        && !name.endsWith("package-info.class")) {
                    names.add(name.substring(0, name.length() - 6).replace('/', '.'));
                }
            }
        }
        int failed = 0;
        long start = System.nanoTime();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toURI().toURL()},
                ClassLoader.getSystemClassLoader())) {
            for (String name : names) {
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    failed++; // an optional dependency of the jar is missing: same with and without the agent
                }
            }
        }
        long nanos = System.nanoTime() - start;
        System.out.println("classes=" + names.size() + " failed=" + failed + " nanos=" + nanos);
    }
}
