package dev.alloc.agent.transform;

import dev.alloc.runtime.Kind;
import java.util.ArrayList;
import java.util.List;
import org.objectweb.asm.Opcodes;

/**
 * A JDK call that takes (or gives back) native memory, which the call-site transformer rewrites
 * in application and library classes.
 *
 * <p>Most such calls are public APIs whose memory a JDK choke point below already counts: the
 * call is only framed with a constant site id ({@code hook} null). Calls straight to
 * {@code jdk.internal.misc.Unsafe} from outside the JDK pass no choke point (the choke points
 * sit in the JDK's own callers of that class), so the call itself is replaced by the
 * {@code JdkHooks} method the choke points use ({@code hook}), which takes the receiver as an
 * ignored {@code Object}: the operand stack is the same, and the JDK's own uses are never
 * rewritten, so never counted twice.
 *
 * @param owner      internal name of the declaring JDK type, exactly as in the call instruction
 * @param namePrefix the method name, or its prefix when {@code prefix} is true
 * @param prefix     match every method whose name starts with {@code namePrefix}
 * @param kind       the kind of memory the call takes
 * @param hook       the {@code JdkHooks} method that replaces the call, or null to keep the call
 * @param allocates  whether the call takes memory (and so is framed with a site id); false for a free
 */
public record InterceptedCall(String owner, String namePrefix, boolean prefix, int kind, String hook, boolean allocates) {
    private static final String INTERNAL_UNSAFE = "jdk/internal/misc/Unsafe";

    /** The calls for the kinds in {@code trackMask}; FFM calls only when the JDK has FFM. */
    public static List<InterceptedCall> forKinds(int trackMask, boolean ffmAvailable) {
        List<InterceptedCall> calls = new ArrayList<>();
        if ((trackMask & (1 << Kind.DIRECT)) != 0) {
            calls.add(framed("java/nio/ByteBuffer", "allocateDirect", false, Kind.DIRECT));
        }
        if ((trackMask & (1 << Kind.UNSAFE)) != 0) {
            calls.add(framed("sun/misc/Unsafe", "allocateMemory", false, Kind.UNSAFE));
            calls.add(framed("sun/misc/Unsafe", "reallocateMemory", false, Kind.UNSAFE));
            calls.add(new InterceptedCall(INTERNAL_UNSAFE, "allocateMemory", false, Kind.UNSAFE, "unsafeAllocate", true));
            calls.add(new InterceptedCall(INTERNAL_UNSAFE, "reallocateMemory", false, Kind.UNSAFE, "unsafeReallocate", true));
            calls.add(new InterceptedCall(INTERNAL_UNSAFE, "freeMemory", false, Kind.UNSAFE, "unsafeFree", false));
        }
        if ((trackMask & (1 << Kind.MAPPED)) != 0) {
            calls.add(framed("java/nio/channels/FileChannel", "map", false, Kind.MAPPED));
        }
        if (ffmAvailable && (trackMask & (1 << Kind.FFM)) != 0) {
            calls.add(framed("java/lang/foreign/Arena", "allocate", true, Kind.FFM));
            calls.add(framed("java/lang/foreign/SegmentAllocator", "allocate", true, Kind.FFM));
        }
        return calls;
    }

    /** Only the calls that must be replaced for their memory to be counted at all (with {@code sites=off}). */
    public static List<InterceptedCall> replacedOnly(List<InterceptedCall> calls) {
        List<InterceptedCall> replaced = new ArrayList<>();
        for (InterceptedCall call : calls) {
            if (call.hook() != null) {
                replaced.add(call);
            }
        }
        return replaced;
    }

    private static InterceptedCall framed(String owner, String name, boolean prefix, int kind) {
        return new InterceptedCall(owner, name, prefix, kind, null, true);
    }

    public boolean matches(String callOwner, String callName) {
        return owner.equals(callOwner) && (prefix ? callName.startsWith(namePrefix) : callName.equals(namePrefix));
    }

    /**
     * Whether every normal return of the call has passed through {@code JdkHooks.unsafeAllocate},
     * which takes the primed site and clears it ({@code Accounting.allocate}): an
     * {@code allocateMemory} of either {@code Unsafe} calls it whatever the size (the JDK's checks
     * that throw come after it). Its frame then needs no un-priming after the call.
     */
    boolean siteConsumed() {
        return kind == Kind.UNSAFE && namePrefix.equals("allocateMemory");
    }

    /**
     * Whether this instruction is the instance method the hook stands for: a method of that
     * name with another descriptor (a later JDK's overload) is left as it is, never pointed at
     * a hook that does not exist.
     */
    boolean replaces(int opcode, String desc) {
        String expected = namePrefix.equals("reallocateMemory") ? "(JJ)J" : allocates ? "(J)J" : "(J)V";
        return opcode == Opcodes.INVOKEVIRTUAL && desc.equals(expected);
    }

    /** The hook's descriptor for a call with descriptor {@code desc}: the receiver first, as an {@code Object}. */
    static String hookDescriptor(String desc) {
        return "(Ljava/lang/Object;" + desc.substring(1);
    }
}
