package dev.alloc.it.programs;

import java.nio.file.Path;
import java.nio.file.Paths;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Event;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.Recording;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Writes a recording (args: its file) holding the agent's events by DESIGN.md's names and
 * fields, with known numbers: 12 periods of 10 sites, one over-limit event, and allocations with
 * their stacks: 3 x 1,999,993 bytes from {@link #loadImage}, 2 x 1,048,583 from
 * {@link #openSession}, one of the images freed. It checks the report command alone, on any JDK,
 * whatever the agent's own recording code does. The JDK's own JVM information is recorded too.
 */
public final class EmitAgentEvents {
    @Name("dev.alloc.OffHeapStatistics")
    @Category("Off-Heap Memory")
    static final class Statistics extends Event {
        @DataAmount(DataAmount.BYTES) long used;
        @DataAmount(DataAmount.BYTES) long limit;
        @DataAmount(DataAmount.BYTES) long peak;
        @DataAmount(DataAmount.BYTES) long usedDirect;
        @DataAmount(DataAmount.BYTES) long usedUnsafe;
        @DataAmount(DataAmount.BYTES) long usedFfm;
        @DataAmount(DataAmount.BYTES) long usedMalloc;
        String strategy;
    }

    @Name("dev.alloc.CallSiteUsage")
    @Category("Off-Heap Memory")
    static final class SiteUsage extends Event {
        String site;
        String kind;
        @DataAmount(DataAmount.BYTES) long liveBytes;
        long liveCount;
        @DataAmount(DataAmount.BYTES) long peakLiveBytes;
        @DataAmount(DataAmount.BYTES) long totalBytes;
        long totalCount;
        @DataAmount(DataAmount.BYTES) long freedExplicitBytes;
        @DataAmount(DataAmount.BYTES) long freedByGcBytes;
        @DataAmount(DataAmount.BYTES) long freedByCloseBytes;
        @Timespan(Timespan.MILLISECONDS) long oldestLiveAge;
    }

    @Name("dev.alloc.LimitExceeded")
    @Category("Off-Heap Memory")
    static final class LimitExceeded extends Event {
        String kind;
        @DataAmount(DataAmount.BYTES) long requested;
        @DataAmount(DataAmount.BYTES) long used;
        @DataAmount(DataAmount.BYTES) long limit;
        String site;
        String topSite;
    }

    @Name("dev.alloc.Allocation")
    @Category("Off-Heap Memory")
    @StackTrace(true)
    static final class Allocation extends Event {
        String kind;
        @DataAmount(DataAmount.BYTES) long size;
        @MemoryAddress long address;
        String site;
        String strategy;
    }

    @Name("dev.alloc.Free")
    @Category("Off-Heap Memory")
    @StackTrace(false)
    static final class Free extends Event {
        String kind;
        @DataAmount(DataAmount.BYTES) long size;
        @MemoryAddress long address;
        String site;
    }

    static void loadImage(long address) {
        allocated(address, 1_999_993L, "EmitAgentEvents.loadImage");
    }

    static void openSession(long address) {
        allocated(address, 1_048_583L, "EmitAgentEvents.openSession");
    }

    private static void allocated(long address, long size, String site) {
        Allocation event = new Allocation();
        event.kind = "direct";
        event.size = size;
        event.address = address;
        event.site = site;
        event.strategy = "system";
        event.commit();
    }

    public static void main(String[] args) throws Exception {
        Path file = Paths.get(args[0]);
        try (Recording recording = new Recording()) {
            recording.enable(Statistics.class);
            recording.enable(SiteUsage.class);
            recording.enable(LimitExceeded.class);
            recording.enable(Allocation.class).withStackTrace();
            recording.enable(Free.class);
            recording.enable("jdk.JVMInformation");
            recording.enable("jdk.InitialSystemProperty");
            recording.start();
            for (long image = 1; image <= 3; image++) {
                loadImage(0x10000 * image);
            }
            openSession(0x40000);
            openSession(0x50000);
            Free free = new Free();
            free.kind = "direct";
            free.size = 1_999_993L;
            free.address = 0x20000;
            free.site = "EmitAgentEvents.loadImage";
            free.commit();
            for (int period = 1; period <= 12; period++) {
                long used = 0;
                for (int s = 0; s < 10; s++) {
                    SiteUsage site = new SiteUsage();
                    site.site = "com.example.Site" + s + ".<init>(Site" + s + ".java:" + (10 + s) + ")";
                    site.kind = s % 3 == 1 ? "unsafe" : "direct";
                    site.liveCount = period;
                    site.liveBytes = (s == 0 ? 1_999_993L : 1_048_583L / (s + 1)) * period;
                    site.peakLiveBytes = site.liveBytes;
                    site.totalBytes = site.liveBytes + 777_781L;
                    site.totalCount = period + 1;
                    site.freedByGcBytes = s == 2 ? 777_781L : 0;
                    site.freedExplicitBytes = s == 2 ? 0 : 777_781L;
                    site.oldestLiveAge = 100L * period;
                    site.commit();
                    used += site.liveBytes;
                }
                Statistics statistics = new Statistics();
                statistics.used = used;
                statistics.limit = 32L << 20;
                statistics.peak = used;
                statistics.usedDirect = used;
                statistics.strategy = "system";
                statistics.commit();
                if (period == 12) {
                    LimitExceeded exceeded = new LimitExceeded();
                    exceeded.kind = "direct";
                    exceeded.requested = 1_999_993L;
                    exceeded.used = used;
                    exceeded.limit = 32L << 20;
                    exceeded.site = "com.example.Site0.<init>(Site0.java:10)";
                    exceeded.topSite = exceeded.site;
                    exceeded.commit();
                }
                Thread.sleep(50);
            }
            recording.stop();
            recording.dump(file);
        }
        System.out.println("wrote " + file + " from pid " + ProcessHandle.current().pid());
    }
}
