package dev.alloc.runtime;

/**
 * Recognises the JDK threads that run Cleaners after GC: memory freed there was freed by the
 * garbage collector, not by the application, and an allocation there must never wait for GC
 * (it would wait for itself).
 */
final class JdkThreads {
    private static volatile Thread referenceHandler;
    private static volatile Thread commonCleaner;

    private JdkThreads() {
    }

    /** Finds the threads by name once; cheap, and safe to repeat. */
    static void discover() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            String name = threads[i].getName();
            if ("Reference Handler".equals(name)) {
                referenceHandler = threads[i];
            } else if ("Common-Cleaner".equals(name)) {
                commonCleaner = threads[i];
            }
        }
    }

    /** True on a thread that frees memory on behalf of the garbage collector. */
    static boolean isCleanerThread(Thread thread) {
        if (thread == referenceHandler || thread == commonCleaner) {
            return true;
        }
        if (commonCleaner == null && "Common-Cleaner".equals(thread.getName())) {
            commonCleaner = thread; // started lazily after the agent
            return true;
        }
        return false;
    }
}
