package dev.alloc.runtime.report;

import dev.alloc.runtime.SiteContext;

/**
 * The agent's only output channel: single lines on standard error, prefixed with
 * {@code alloc: }. Nothing is printed at {@code log=quiet} except errors the user must see.
 */
public final class Log {
    public static final int QUIET = 0;
    public static final int INFO = 1;
    public static final int DEBUG = 2;

    private static volatile int level = INFO;

    private Log() {
    }

    public static void setLevel(int newLevel) {
        level = newLevel;
    }

    public static boolean debugEnabled() {
        return level >= DEBUG;
    }

    public static void info(String message) {
        if (level >= INFO) {
            print(message);
        }
    }

    public static void debug(String message) {
        if (level >= DEBUG) {
            print(message);
        }
    }

    /** A warning the user should see even at {@code log=quiet}: lost tracking, misuse. */
    public static void warn(String message) {
        print(message);
    }

    private static void print(String message) {
        SiteContext context = SiteContext.current();
        boolean wasBusy = context.enterAgent();
        try {
            System.err.println("alloc: " + message);
        } finally {
            context.exitAgent(wasBusy);
        }
    }
}
