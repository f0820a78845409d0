package dev.alloc.runtime.jfr;

import dev.alloc.runtime.JdkHooks;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.Settings;
import dev.alloc.runtime.SiteContext;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;

/**
 * The bridge installed in the test JVM (once: it is static state), and a recording stream that
 * waits, with a timeout, for the first event matching a condition.
 */
final class InProcess {
    static final long TIMEOUT_SECONDS = 20;

    private InProcess() {
    }

    static synchronized void install() {
        if (OffHeap.settings() == null) {
            OffHeap.install(Settings.builder().log(dev.alloc.runtime.report.Log.QUIET).build());
        }
    }

    /** Allocates unsafe memory as if from the rewritten call site {@code site}. */
    static long allocateAt(String site, long size) {
        return allocateAt(OffHeap.internSite(site, Kind.UNSAFE), size);
    }

    /** Allocates unsafe memory as if from the rewritten call site with id {@code site}. */
    static long allocateAt(int id, long size) {
        SiteContext.prime(id);
        try {
            return JdkHooks.unsafeAllocate(null, size); // the hook raises the allocation's event
        } finally {
            SiteContext.unprime();
        }
    }

    static void free(long address) {
        OffHeap.free(address, dev.alloc.runtime.SiteRegistry.FREED_EXPLICITLY);
    }

    /**
     * Starts a stream configured by {@code setup}, runs {@code action} once the stream runs, and
     * returns the first event of {@code eventName} that {@code match} accepts; fails after the timeout.
     */
    static RecordedEvent first(String eventName, Consumer<RecordingStream> setup, Runnable action,
                               Predicate<RecordedEvent> match) throws InterruptedException {
        BlockingQueue<RecordedEvent> found = new ArrayBlockingQueue<>(1);
        try (RecordingStream stream = new RecordingStream()) {
            setup.accept(stream);
            stream.onEvent(eventName, event -> {
                if (match.test(event)) {
                    found.offer(event);
                }
            });
            stream.setMaxAge(Duration.ofSeconds(30));
            stream.startAsync();
            action.run();
            RecordedEvent event = found.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no matching " + eventName + " event within " + TIMEOUT_SECONDS + " s");
            }
            return event;
        }
    }
}
