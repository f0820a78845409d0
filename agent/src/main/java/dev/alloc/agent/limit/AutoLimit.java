package dev.alloc.agent.limit;

import dev.alloc.runtime.report.Sizes;

/**
 * {@code limit=auto}: the off-heap limit is what the container allows beyond the heap, less a
 * headroom for what the agent cannot see (thread stacks, metaspace, code cache, GC structures,
 * native libraries): {@code (container limit - max heap) * (100 - headroom) / 100}.
 */
public final class AutoLimit {
    /** The derived limit (0: none, track only) and the sentence saying how it was derived. */
    public record Derived(long limit, String how) {
    }

    private AutoLimit() {
    }

    public static Derived derive(ContainerMemory.Found container, long maxHeap, int headroomPercent) {
        if (container.limit() <= 0) {
            return new Derived(0, "auto: no container memory limit found (" + container.source() + "); tracking only");
        }
        long beyondHeap = container.limit() - maxHeap;
        if (beyondHeap <= 0) {
            return new Derived(0, "auto: the container limit " + Sizes.human(container.limit()) + " ("
                    + container.source() + ") is not above the max heap " + Sizes.human(maxHeap) + "; tracking only");
        }
        long keep = 100 - headroomPercent;
        long limit = beyondHeap / 100 * keep + beyondHeap % 100 * keep / 100;
        return new Derived(limit, "auto: container " + Sizes.human(container.limit()) + " (" + container.source()
                + ") - max heap " + Sizes.human(maxHeap) + " = " + Sizes.human(beyondHeap) + ", less "
                + headroomPercent + "% headroom = " + limit + " bytes");
    }
}
