package dev.alloc.bench.ffm;

import dev.alloc.bench.AllocateFree;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The body of {@code FfmArenaBench}: open a confined arena, allocate one segment, close it. */
public final class ConfinedArena implements AllocateFree {
    private final long size;

    public ConfinedArena(long size) {
        this.size = size;
    }

    @Override
    public long run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(size);
            return segment.address();
        }
    }
}
