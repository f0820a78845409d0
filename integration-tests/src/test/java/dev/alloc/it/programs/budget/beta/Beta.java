package dev.alloc.it.programs.budget.beta;

import dev.alloc.it.programs.TheUnsafe;

/** Another package with a budget of its own (see {@code TwoBudgets}). */
public final class Beta {
    private Beta() {
    }

    public static long take(long bytes) {
        return TheUnsafe.get().allocateMemory(bytes);
    }
}
