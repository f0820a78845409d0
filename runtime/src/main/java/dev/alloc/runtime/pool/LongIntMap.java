package dev.alloc.runtime.pool;

/**
 * An open-addressing map from a non-zero {@code long} to an {@code int}, without boxing:
 * linear probing, backward-shift deletion (no tombstones), doubling at half load. Not
 * thread-safe.
 */
final class LongIntMap {
    static final int ABSENT = -1;

    private long[] keys = new long[64];
    private int[] values = new int[64];
    private int size;

    int get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == 0) {
                return ABSENT;
            }
        }
    }

    void put(long key, int value) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == 0) {
            size++;
        }
        keys[i] = key;
        values[i] = value;
        if (size * 2 > keys.length) {
            grow();
        }
    }

    void remove(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (keys[i] != key) {
            if (keys[i] == 0) {
                return;
            }
            i = (i + 1) & mask;
        }
        size--;
        // Backward shift: move later entries of the probe run into the hole when their home allows it.
        for (int next = (i + 1) & mask; keys[next] != 0; next = (next + 1) & mask) {
            int home = slot(keys[next], mask);
            if (((next - home) & mask) >= ((next - i) & mask)) {
                keys[i] = keys[next];
                values[i] = values[next];
                i = next;
            }
        }
        keys[i] = 0;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != 0) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    private static int slot(long key, int mask) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }
}
