package dev.alloc.it.programs.budget.alpha;

import dev.alloc.it.programs.TheUnsafe;

/** A package with a budget of its own (see {@code TwoBudgets}). */
public final class Alpha {
    private Alpha() {
    }

    public static long take(long bytes) {
        return TheUnsafe.get().allocateMemory(bytes);
    }
}
