package dev.alloc.runtime.pool;

/**
 * Told about each bad free a pool caught. Called on the freeing thread, outside the pool's
 * locks; it must not throw. The pool is intact whatever the listener does.
 */
public interface MisuseListener {
    /** Ignores misuse (the pool still counts it in its statistics). */
    MisuseListener IGNORE = new MisuseListener() {
        @Override
        public void onMisuse(long address, Misuse misuse) {
        }
    };

    void onMisuse(long address, Misuse misuse);
}
