package dev.alloc.runtime;

/** Name-prefix matching shared by site naming (stack walks) and the agent's class filters. */
public final class Prefixes {
    private Prefixes() {
    }

    /** Whether {@code name} starts with any of {@code prefixes}. */
    public static boolean startsWithAny(String name, String[] prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
