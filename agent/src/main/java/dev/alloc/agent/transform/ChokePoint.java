package dev.alloc.agent.transform;

import dev.alloc.runtime.Kind;
import java.util.List;

/**
 * A JDK class whose calls to {@code jdk.internal.misc.Unsafe}'s memory methods are the choke
 * point of one kind: every allocation and free of that kind passes there. The agent replaces
 * those calls with the matching static method of {@code dev.alloc.runtime.JdkHooks}.
 *
 * @param className    internal name of the class (for nested classes, see {@code nestedToo})
 * @param nestedToo    also rewrite the class's nested classes (FFM frees in an anonymous class)
 * @param kind         the kind whose hooks replace the calls
 * @param allocateHook hook for {@code allocateMemory}, or null to leave it alone
 * @param reallocateHook hook for {@code reallocateMemory}, or null
 * @param freeHook     hook for {@code freeMemory}, or null
 */
public record ChokePoint(String className, boolean nestedToo, int kind,
                         String allocateHook, String reallocateHook, String freeHook) {

    /** The choke points of every kind this agent knows; absent classes are skipped by the installer. */
    public static List<ChokePoint> all() {
        return List.of(
                new ChokePoint("java/nio/DirectByteBuffer", false, Kind.DIRECT, "directAllocate", null, "directFree"),
                new ChokePoint("java/nio/DirectByteBuffer$Deallocator", false, Kind.DIRECT, null, null, "directFree"),
                // JDK 25's temporary I/O buffers are taken from Unsafe directly, not allocateDirect.
                new ChokePoint("sun/nio/ch/Util", false, Kind.DIRECT, "directAllocate", null, "directFree"),
                new ChokePoint("sun/misc/Unsafe", false, Kind.UNSAFE, "unsafeAllocate", "unsafeReallocate", "unsafeFree"),
                new ChokePoint("jdk/internal/foreign/SegmentFactories", true, Kind.FFM, "ffmAllocate", null, "ffmFree"));
    }

    /** Whether this choke point covers the class with the given internal name. */
    public boolean covers(String internalName) {
        int length = className.length();
        return internalName.equals(className) || nestedToo && internalName.length() > length
                && internalName.charAt(length) == '$' && internalName.startsWith(className); // no garbage per class
    }

    /** The hook replacing {@code jdk.internal.misc.Unsafe.<method>}, or null. */
    String hookFor(String unsafeMethod) {
        switch (unsafeMethod) {
            case "allocateMemory":
                return allocateHook;
            case "reallocateMemory":
                return reallocateHook;
            case "freeMemory":
                return freeHook;
            default:
                return null;
        }
    }
}
