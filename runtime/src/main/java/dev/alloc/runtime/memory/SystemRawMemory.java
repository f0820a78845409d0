package dev.alloc.runtime.memory;

import dev.alloc.runtime.SystemMemory;

/** {@code strategy=system}: tracked blocks are libc's, through {@link SystemMemory}. */
public final class SystemRawMemory implements RawMemory {
    public static final SystemRawMemory INSTANCE = new SystemRawMemory();

    private SystemRawMemory() {
    }

    @Override
    public long allocate(long size) {
        return SystemMemory.allocate(size);
    }

    @Override
    public long reallocate(long address, long oldSize, long size) {
        if (size <= 0) {
            SystemMemory.free(address);
            return 0;
        }
        return SystemMemory.reallocate(address, size);
    }

    @Override
    public void free(long address, long size) {
        SystemMemory.free(address);
    }

    @Override
    public void freeUntracked(long address) {
        SystemMemory.free(address);
    }

    @Override
    public long reallocateUntracked(long address, long size) {
        return SystemMemory.reallocate(address, size);
    }

    @Override
    public boolean allowsHeaders() {
        return true;
    }

    @Override
    public String strategy() {
        return "system";
    }
}
