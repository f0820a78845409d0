package dev.alloc.runtime;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.runtime.report.Log;

/**
 * {@code policy=exit}: on the first over-limit allocation, log the error (it names the top
 * holders), write the site report, and exit the JVM with {@link #STATUS} — for orchestrators
 * that restart a pod, as {@code -XX:+ExitOnOutOfMemoryError} does for the heap (and with the same
 * status). Shutdown hooks run (a JFR recording is dumped); if they do not finish within
 * {@link #GRACE_MILLIS}, the JVM is halted with the same status.
 *
 * <p>Once the exit has begun, every other thread that reaches a limit waits for the JVM to go
 * instead of seeing the error in application code: the application never runs on past its
 * first over-limit allocation. The wait is bounded by the grace period plus a second (the halt
 * comes first); should the JVM outlive that, the thread gets the error after all.
 */
final class ExitOnLimit {
    /** The exit status, documented in the README; the same as {@code -XX:+ExitOnOutOfMemoryError}'s. */
    static final int STATUS = 3;
    static final long GRACE_MILLIS = 10_000;

    private static boolean exiting;

    private ExitOnLimit() {
    }

    /** Does not return: the JVM exits (only a JVM that outlives its own halt lets a waiting thread go on). */
    static void exit(OffHeapLimitExceededError error, String reportTarget, Accounting core) {
        synchronized (ExitOnLimit.class) {
            if (exiting) {
                awaitHalt(GRACE_MILLIS + 1000);
                return;
            }
            exiting = true;
        }
        Log.warn("policy=exit: " + error.getMessage() + "; exiting with status " + STATUS);
        ExitReport.writeTo(reportTarget != null ? reportTarget : "stderr", core);
        Thread watchdog = new Thread(new Runnable() {
            @Override
            public void run() {
                try {
                    Thread.sleep(GRACE_MILLIS);
                } catch (InterruptedException e) {
                    // halt now
                }
                Runtime.getRuntime().halt(STATUS);
            }
        }, "alloc-exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.exit(STATUS);
    }

    /** Waits (holding the lock, which the exiting thread no longer needs) until the JVM halts or {@code millis} pass. */
    private static void awaitHalt(long millis) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + millis * 1_000_000;
        for (long left = millis; left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
            try {
                ExitOnLimit.class.wait(left);
            } catch (InterruptedException e) {
                interrupted = true; // the JVM is going: an interrupt does not make this thread run on
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
