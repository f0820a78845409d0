package dev.alloc.runtime;

import dev.alloc.OffHeapLimitExceededError;

/**
 * {@code policy=exit}: on the first over-limit allocation, log the error (it names the top
 * holders), write the site report, and exit the JVM with {@link #STATUS} — for orchestrators
 * that restart a pod, as {@code -XX:+ExitOnOutOfMemoryError} does for the heap (and with the same
 * status). Shutdown hooks run (a JFR recording is dumped); if they do not finish within
 * {@link #GRACE_MILLIS}, the JVM is halted with the same status.
 */
final class ExitOnLimit {
    /** The exit status, documented in the README; the same as {@code -XX:+ExitOnOutOfMemoryError}'s. */
    static final int STATUS = 3;
    static final long GRACE_MILLIS = 10_000;

    private static boolean exiting;

    private ExitOnLimit() {
    }

    /** Does not return (the JVM exits), except on a thread that arrives while another is exiting. */
    static void exit(OffHeapLimitExceededError error, String reportTarget, Limiter limiter, SiteRegistry sites) {
        synchronized (ExitOnLimit.class) {
            if (exiting) {
                return;
            }
            exiting = true;
        }
        Log.warn("policy=exit: " + error.getMessage() + "; exiting with status " + STATUS);
        ExitReport.writeTo(reportTarget != null ? reportTarget : "stderr", limiter, sites);
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
}
