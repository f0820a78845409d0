package dev.alloc.it.programs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;

/**
 * Four threads, released together, each holding direct buffers of {@code args[0]} bytes until an
 * allocation fails; a thread that sees a failure prints it. Under {@code policy=exit} none may.
 */
public final class FourThreadsToTheLimit {
    public static void main(String[] args) throws Exception {
        int size = Integer.parseInt(args[0]);
        CyclicBarrier start = new CyclicBarrier(4);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                List<ByteBuffer> held = new ArrayList<>();
                try {
                    start.await();
                    while (true) {
                        held.add(ByteBuffer.allocateDirect(size));
                    }
                } catch (Throwable e) {
                    System.out.println("error in " + Thread.currentThread().getName() + " after " + held.size() + ": " + e);
                }
            }, "worker-" + t);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println("all threads ended");
    }
}
