package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import java.util.concurrent.atomic.AtomicBoolean;

/** The last line of defence of a hook that must not throw: one warning, then silence. */
final class HookFailures {
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private HookFailures() {
    }

    static void report(Throwable bug) {
        if (REPORTED.compareAndSet(false, true)) {
            try {
                Log.warn("internal error in a free hook, accounting may be off from now on: " + bug);
            } catch (Throwable ignored) {
                // nothing more can be done without risking the host
            }
        }
    }
}
