package dev.alloc.agent.transform;

import dev.alloc.runtime.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A public JDK API call that takes native memory, which the call-site transformer rewrites in
 * application classes so that the call carries a constant site id.
 *
 * @param owner      internal name of the declaring JDK type, exactly as in the call instruction
 * @param namePrefix the method name, or its prefix when {@code prefix} is true
 * @param prefix     match every method whose name starts with {@code namePrefix}
 * @param kind       the kind of memory the call takes
 */
public record InterceptedCall(String owner, String namePrefix, boolean prefix, int kind) {

    /** The calls for the kinds in {@code trackMask}; FFM calls only when the JDK has FFM. */
    public static List<InterceptedCall> forKinds(int trackMask, boolean ffmAvailable) {
        List<InterceptedCall> calls = new ArrayList<>();
        if ((trackMask & (1 << Kind.DIRECT)) != 0) {
            calls.add(new InterceptedCall("java/nio/ByteBuffer", "allocateDirect", false, Kind.DIRECT));
        }
        if ((trackMask & (1 << Kind.UNSAFE)) != 0) {
            calls.add(new InterceptedCall("sun/misc/Unsafe", "allocateMemory", false, Kind.UNSAFE));
            calls.add(new InterceptedCall("sun/misc/Unsafe", "reallocateMemory", false, Kind.UNSAFE));
        }
        if (ffmAvailable && (trackMask & (1 << Kind.FFM)) != 0) {
            calls.add(new InterceptedCall("java/lang/foreign/Arena", "allocate", true, Kind.FFM));
            calls.add(new InterceptedCall("java/lang/foreign/SegmentAllocator", "allocate", true, Kind.FFM));
        }
        return calls;
    }

    public boolean matches(String callOwner, String callName) {
        return owner.equals(callOwner) && (prefix ? callName.startsWith(namePrefix) : callName.equals(namePrefix));
    }
}
