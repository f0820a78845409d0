package dev.alloc.runtime;

import java.lang.StackWalker.StackFrame;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Names a site by walking the stack: the slow path, for allocations no rewritten call site
 * named (they started inside the JDK, or in a library whose package is in {@code site.skip}).
 * The site is the first frame outside the JDK, the agent and the skipped prefixes. When there is
 * none (a JDK thread, or a library's own thread such as Netty's event loop reading a socket), it
 * is the first frame outside the allocation machinery: the JDK method, or the skipped library's
 * method, that called the allocating API. A skipped library's frame is then marked
 * {@link #SKIPPED_MARK}, so the table says the library allocated on its own, with no frame of
 * the application on the stack: Netty's event-loop buffers are named
 * {@code io.netty.util.internal.CleanerJava9.allocate(CleanerJava9.java:86) [skipped; no application frame]}.
 */
final class StackSites {
    private static final StackWalker WALKER = StackWalker.getInstance();
    // An anonymous class, not a lambda, and an iterator, not limit(..).collect(..) (whose
    // pipeline stages and collector are lambdas of the JDK): this runs inside JDK allocation
    // paths, where spinning classes could load and initialise classes at an awkward moment.
    private static final Function<Stream<StackFrame>, List<StackFrame>> FIRST_FRAMES =
            new Function<Stream<StackFrame>, List<StackFrame>>() {
                @Override
                public List<StackFrame> apply(Stream<StackFrame> frames) {
                    List<StackFrame> first = new ArrayList<>();
                    for (Iterator<StackFrame> it = frames.iterator(); it.hasNext() && first.size() < 256;) {
                        first.add(it.next());
                    }
                    return first;
                }
            };
    private static final String[] JDK_PREFIXES = {"java.", "javax.", "jdk.", "sun.", "com.sun."};
    /** Frames that are the allocation machinery itself, never a site. */
    private static final String[] MACHINERY = {
        "dev.alloc.runtime.", "dev.alloc.agent.", "java.nio.DirectByteBuffer", "java.nio.ByteBuffer", "java.nio.Bits",
        "java.nio.MappedByteBuffer", "sun.misc.Unsafe", "jdk.internal.misc.Unsafe", "jdk.internal.foreign.",
        "java.lang.foreign.", "java.lang.invoke.", "jdk.internal.reflect.", "java.lang.reflect."
    };

    /** Appended to a site named by a skipped frame because no frame of the application was on the stack. */
    static final String SKIPPED_MARK = " [skipped; no application frame]";

    private final SiteRegistry sites;
    private final String[] skip;

    StackSites(SiteRegistry sites, String[] skipPrefixes) {
        this.sites = sites;
        this.skip = skipPrefixes;
    }

    int resolve(int kind) {
        List<StackFrame> frames = WALKER.walk(FIRST_FRAMES);
        StackFrame caller = null;
        boolean callerSkipped = false;
        for (StackFrame frame : frames) {
            String cls = frame.getClassName();
            if (Prefixes.startsWithAny(cls, MACHINERY)) {
                continue;
            }
            boolean jdk = Prefixes.startsWithAny(cls, JDK_PREFIXES);
            if (jdk || Prefixes.startsWithAny(cls, skip)) {
                if (caller == null) {
                    caller = frame;
                    callerSkipped = !jdk;
                }
                continue;
            }
            return sites.intern(describe(frame), kind);
        }
        if (caller == null) {
            return 0;
        }
        return sites.intern(callerSkipped ? describe(caller) + SKIPPED_MARK : describe(caller), kind);
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
