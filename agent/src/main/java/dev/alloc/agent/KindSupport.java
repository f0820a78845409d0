package dev.alloc.agent;

import dev.alloc.runtime.Kind;

/** Which kinds of off-heap memory the running JDK has at all. */
final class KindSupport {
    private KindSupport() {
    }

    /** FFM's final API and its {@code SegmentFactories} choke point arrived in JDK 22. */
    static boolean hasFfm() {
        return Runtime.version().feature() >= 22;
    }

    static int availableKinds() {
        int kinds = 1 << Kind.DIRECT | 1 << Kind.UNSAFE | 1 << Kind.MAPPED;
        if (hasFfm()) {
            kinds |= 1 << Kind.FFM | 1 << Kind.MALLOC; // malloc: libc called through FFM downcalls
        }
        return kinds;
    }

    /** Why a kind is not available here, for the start-up line. */
    static String whyUnavailable(int kind) {
        return "unavailable on JDK " + Runtime.version().feature();
    }
}
