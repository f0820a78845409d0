package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.TwoBudgets;

/** Budgets by package prefix (issue 13): two packages, two budgets, four threads, exact figures, the budget's error. */
class BudgetTest {
    private static final String ALPHA = "dev.alloc.it.programs.budget.alpha";
    private static final String BETA = "dev.alloc.it.programs.budget.beta";

    @EveryJdk
    void eachPackageIsChargedExactlyAndStoppedAtItsOwnBudget(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk)
                .agent("budget." + ALPHA + "=16m,budget." + BETA + "=8m,limit=64m,report=stderr")
                .main(TwoBudgets.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        long alpha = 4 * 3 * 777_781L;
        long beta = 4 * 2 * 999_983L;
        String betaSite = BETA + ".Beta.take(Beta.java:11)";
        assertEquals("alpha " + alpha + " beta " + beta + " used " + (alpha + beta + 5_000_011) + "\n"
                + "dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate 999983 bytes of unsafe memory at "
                + betaSite + "; used " + beta + " of 8388608 bytes (budget." + BETA + "); top holders: " + betaSite
                + " " + beta + " (8)\n"
                + "alpha " + (alpha + 777_781) + " beta " + beta + " used " + (alpha + 777_781 + beta + 5_000_011) + "\n",
                r.stdout(), r.toString());
        assertTrue(r.stderr().contains("alloc: warning: off-heap use reached 7.6 MiB of budget." + BETA + " 8.0 MiB (95%)"),
                r.toString());
        assertTrue(r.agentLines().get(0).contains("budget." + ALPHA + " 16.0 MiB, budget." + BETA + " 8.0 MiB"), r.toString());
        assertTrue(r.stderr().contains("\nalloc: budget." + ALPHA + " used " + (alpha + 777_781) + " bytes (9.6 MiB), peak "), r.toString());
        assertTrue(r.stderr().contains("\nalloc: budget." + BETA + " used " + beta + " bytes (7.6 MiB), peak 7.6 MiB, of 8.0 MiB\n"),
                r.toString());
    }
}
