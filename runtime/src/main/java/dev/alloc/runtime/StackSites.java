package dev.alloc.runtime;

import java.lang.StackWalker.StackFrame;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Names a site by walking the stack: the slow path, for allocations no rewritten call site
 * named (they started inside the JDK, or in a library whose package is in {@code site.skip}).
 * The site is the first frame outside the JDK, the agent and the skipped prefixes; when there
 * is none, the JDK method that called the allocating API.
 */
final class StackSites {
    private static final StackWalker WALKER = StackWalker.getInstance();
    // An anonymous class, not a lambda: this runs inside JDK allocation paths, where a first
    // lambda bootstrap could load and initialise classes at an awkward moment.
    private static final Function<Stream<StackFrame>, List<StackFrame>> FIRST_FRAMES =
            new Function<Stream<StackFrame>, List<StackFrame>>() {
                @Override
                public List<StackFrame> apply(Stream<StackFrame> frames) {
                    return frames.limit(256).collect(Collectors.toList());
                }
            };
    private static final String[] JDK_PREFIXES = {"java.", "javax.", "jdk.", "sun.", "com.sun."};
    /** Frames that are the allocation machinery itself, never a site. */
    private static final String[] MACHINERY = {
        "dev.alloc.runtime.", "dev.alloc.agent.", "java.nio.DirectByteBuffer", "java.nio.ByteBuffer", "java.nio.Bits",
        "java.nio.MappedByteBuffer", "sun.misc.Unsafe", "jdk.internal.misc.Unsafe", "jdk.internal.foreign.",
        "java.lang.foreign.", "java.lang.invoke.", "jdk.internal.reflect.", "java.lang.reflect."
    };

    private final SiteRegistry sites;
    private final String[] skip;

    StackSites(SiteRegistry sites, String[] skipPrefixes) {
        this.sites = sites;
        this.skip = skipPrefixes;
    }

    int resolve(int kind) {
        List<StackFrame> frames = WALKER.walk(FIRST_FRAMES);
        StackFrame jdkCaller = null;
        for (StackFrame frame : frames) {
            String cls = frame.getClassName();
            if (Prefixes.startsWithAny(cls, MACHINERY)) {
                continue;
            }
            if (Prefixes.startsWithAny(cls, JDK_PREFIXES) || Prefixes.startsWithAny(cls, skip)) {
                if (jdkCaller == null) {
                    jdkCaller = frame;
                }
                continue;
            }
            return sites.intern(describe(frame), kind);
        }
        return jdkCaller == null ? 0 : sites.intern(describe(jdkCaller), kind);
    }

    /** The first frame outside the JDK and the agent, described, or null: for reports, not sites. */
    static String firstApplicationFrame() {
        for (StackFrame frame : WALKER.walk(FIRST_FRAMES)) {
            String cls = frame.getClassName();
            if (!Prefixes.startsWithAny(cls, MACHINERY) && !Prefixes.startsWithAny(cls, JDK_PREFIXES)) {
                return describe(frame);
            }
        }
        return null;
    }

    static String describe(StackFrame frame) {
        String file = frame.getFileName();
        int line = frame.getLineNumber();
        return frame.getClassName() + "." + frame.getMethodName() + "("
                + (file == null ? "Unknown Source" : line >= 0 ? file + ":" + line : file) + ")";
    }
}
