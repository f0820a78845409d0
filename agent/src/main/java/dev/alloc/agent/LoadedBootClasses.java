package dev.alloc.agent;

import java.lang.instrument.Instrumentation;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which of some bootstrap classes the JVM has loaded, found without loading any: one walk over
 * {@link Instrumentation#getAllLoadedClasses()} (the JVM has no cheaper question for the
 * bootstrap loader). The weavers ask it after adding their transformer: a class loaded later
 * passes the transformer at its first load, a class found here is retransformed.
 */
final class LoadedBootClasses {
    private LoadedBootClasses() {
    }

    /** Internal name to class, for those of {@code internalNames} loaded by the bootstrap loader. */
    static Map<String, Class<?>> find(Instrumentation inst, String... internalNames) {
        Set<String> wanted = new HashSet<>();
        for (String name : internalNames) {
            wanted.add(name.replace('/', '.'));
        }
        Map<String, Class<?>> found = new HashMap<>();
        for (Class<?> loaded : inst.getAllLoadedClasses()) {
            String name = loaded.getName(); // cached by Class: no garbage for a class named before
            if (wanted.contains(name) && loaded.getClassLoader() == null) {
                found.put(name.replace('.', '/'), loaded);
            }
        }
        return found;
    }
}
