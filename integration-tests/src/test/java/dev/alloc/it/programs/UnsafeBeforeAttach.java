package dev.alloc.it.programs;

import com.sun.tools.attach.VirtualMachine;
import sun.misc.Unsafe;

/**
 * Takes Unsafe memory before the agent exists, then loads the agent into itself (args: the
 * agent jar, its options) and frees, reallocates and frees those blocks: the agent never saw
 * them, so they must pass through uncounted. Blocks taken after the attach are counted.
 */
public final class UnsafeBeforeAttach {
    private static final Unsafe UNSAFE = TheUnsafe.get();

    public static void main(String[] args) throws Exception {
        long[] before = new long[3];
        for (int i = 0; i < before.length; i++) {
            before[i] = UNSAFE.allocateMemory(1_234_567);
        }
        VirtualMachine vm = VirtualMachine.attach(Long.toString(ProcessHandle.current().pid()));
        try {
            vm.loadAgent(args[0], args[1]);
        } finally {
            vm.detach();
        }
        long after1 = UNSAFE.allocateMemory(999_999);
        long after2 = UNSAFE.allocateMemory(999_999);
        UNSAFE.freeMemory(before[0]);
        before[1] = UNSAFE.reallocateMemory(before[1], 4_444_447);
        UNSAFE.putByte(before[1] + 4_444_446, (byte) 1);
        UNSAFE.freeMemory(before[1]);
        UNSAFE.freeMemory(before[2]);
        UNSAFE.freeMemory(after1);
        System.out.println("kept " + (after2 != 0));
    }
}
