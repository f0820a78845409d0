package dev.alloc.agent.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes by stack, as the tree a flame graph draws: the root stands for every stack, each child
 * is one frame called by its parent, and a node's bytes are those of every stack through it.
 * Invariant: a node's bytes are the sum of its children's bytes plus what stacks ending at it
 * hold ({@link #self()}), and never below 0 when every removal matches an earlier addition.
 */
final class StackTree {
    private final String frame;
    private long bytes;
    private final Map<String, StackTree> children = new LinkedHashMap<>();

    StackTree(String frame) {
        this.frame = frame;
    }

    /** Adds {@code bytes} (negative: removes) along {@code frames}, outermost caller first. */
    void add(List<String> frames, long delta) {
        StackTree node = this;
        node.bytes += delta;
        for (String name : frames) {
            node = node.children.computeIfAbsent(name, StackTree::new);
            node.bytes += delta;
        }
    }

    String frame() {
        return frame;
    }

    long bytes() {
        return bytes;
    }

    /** What stacks that end at this frame hold. */
    long self() {
        long inChildren = 0;
        for (StackTree child : children.values()) {
            inChildren += child.bytes;
        }
        return bytes - inChildren;
    }

    /** The children holding bytes, largest first (ties: by frame name, so the order is stable). */
    List<StackTree> children() {
        List<StackTree> sorted = new ArrayList<>();
        for (StackTree child : children.values()) {
            if (child.bytes > 0) {
                sorted.add(child);
            }
        }
        sorted.sort(Comparator.comparingLong(StackTree::bytes).reversed().thenComparing(StackTree::frame));
        return sorted;
    }

    /** The depth of the deepest node holding bytes (the root alone: 0); walked without recursion. */
    int depth() {
        int deepest = 0;
        List<StackTree> level = List.of(this);
        while (true) {
            List<StackTree> next = new ArrayList<>();
            for (StackTree node : level) {
                next.addAll(node.children());
            }
            if (next.isEmpty()) {
                return deepest;
            }
            deepest++;
            level = next;
        }
    }
}
