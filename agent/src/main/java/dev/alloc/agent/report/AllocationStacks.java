package dev.alloc.agent.report;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;

/**
 * The {@code dev.alloc.Allocation} events of a recording by stack, and, when the recording has
 * {@code dev.alloc.Free} events, what is still live by stack: a free takes its block's bytes off the
 * stack of the allocation with the same address made before it (events are replayed in time
 * order, since a recording's events are not in time order across threads). Frames of the agent
 * itself are dropped from the top of each stack, so the top frame is the JDK API or the application.
 */
final class AllocationStacks {
    private static final String[] AGENT_PACKAGES = {"dev.alloc.runtime.", "dev.alloc.agent."};

    private record Block(Instant time, long address, long size, List<String> frames, boolean free) {
    }

    private final List<Block> blocks = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();
    private int allocations;
    private int frees;

    void allocated(RecordedEvent event) {
        List<String> frames = frames(event.getStackTrace());
        blocks.add(new Block(event.getStartTime(), number(event, "address"), number(event, "size"), frames, false));
        allocations++;
    }

    void freed(RecordedEvent event) {
        blocks.add(new Block(event.getStartTime(), number(event, "address"), number(event, "size"), List.of(), true));
        frees++;
    }

    int allocations() {
        return allocations;
    }

    /** Whether the recording has {@code Free} events, so that live bytes by stack can be told. */
    boolean hasFrees() {
        return frees > 0;
    }

    /** Allocated bytes by stack ({@code live} false), or live bytes by stack: allocated less what was freed. */
    StackTree tree(boolean live) {
        StackTree root = new StackTree("all");
        List<Block> ordered = new ArrayList<>(blocks);
        ordered.sort(Comparator.comparing(Block::time));
        Map<Long, Block> liveByAddress = new HashMap<>();
        for (Block block : ordered) {
            if (!block.free()) {
                root.add(block.frames(), block.size());
                liveByAddress.put(block.address(), block);
            } else if (live) {
                Block allocated = liveByAddress.remove(block.address());
                if (allocated != null) {
                    root.add(allocated.frames(), -allocated.size());
                }
            }
        }
        return root;
    }

    /** Outermost caller first; the agent's own frames at the top are left out. */
    private List<String> frames(RecordedStackTrace trace) {
        List<String> frames = new ArrayList<>();
        if (trace == null) {
            frames.add("(no stack trace)");
            return frames;
        }
        List<RecordedFrame> recorded = trace.getFrames();
        int top = 0;
        while (top < recorded.size() - 1 && isAgent(recorded.get(top))) {
            top++;
        }
        for (int i = recorded.size() - 1; i >= top; i--) {
            frames.add(name(recorded.get(i)));
        }
        if (trace.isTruncated()) {
            frames.add(0, "(truncated stack)");
        }
        return frames;
    }

    private static boolean isAgent(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        for (String agent : AGENT_PACKAGES) {
            if (type.startsWith(agent)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code com.example.Cache.grow}, one shared string per method: frames merge by method, as in a
     * profiler's flame graph (the site table has the lines).
     */
    private String name(RecordedFrame frame) {
        String name = frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
        return names.computeIfAbsent(name, n -> n);
    }

    private static long number(RecordedEvent event, String field) {
        return event.hasField(field) ? event.getLong(field) : 0;
    }
}
