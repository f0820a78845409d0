package dev.alloc.agent.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The agent's events in a JFR recording, read once into what every report format needs: the
 * used/limit series ({@code dev.alloc.OffHeapStatistics}), each site's live bytes over time and its
 * last counters ({@code dev.alloc.CallSiteUsage}), and the limit events
 * ({@code dev.alloc.LimitExceeded}, {@code dev.alloc.LimitWarning}). Event and field names are
 * DESIGN.md's; fields a recording lacks read as 0 or empty.
 */
public final class Recording {
    static final String STATISTICS = "dev.alloc.OffHeapStatistics";
    static final String SITE_USAGE = "dev.alloc.CallSiteUsage";
    static final String LIMIT_EXCEEDED = "dev.alloc.LimitExceeded";
    static final String LIMIT_WARNING = "dev.alloc.LimitWarning";
    static final String ALLOCATION = "dev.alloc.Allocation";
    static final String FREE = "dev.alloc.Free";
    static final String JVM_INFORMATION = "jdk.JVMInformation";
    static final String SYSTEM_PROPERTY = "jdk.InitialSystemProperty";

    /**
     * The recorded JVM, from the JDK's own {@code jdk.JVMInformation} (pid, arguments) and
     * {@code jdk.InitialSystemProperty} events ({@code java.vm.version}, {@code java.vm.name},
     * {@code java.vm.vendor}), both in the JDK's {@code default} settings: pid 0 and empty texts
     * when the recording lacks them.
     */
    public record Jvm(long pid, String javaVersion, String vm, String jvmArguments) {
        /** {@code 17.0.15+6 (OpenJDK 64-Bit Server VM, Eclipse Adoptium)}, or empty. */
        public String describe() {
            return javaVersion.isEmpty() ? vm : vm.isEmpty() ? javaVersion : javaVersion + " (" + vm + ")";
        }

        /** The agent's options as given on the command line ({@code -javaagent:...alloc.jar=<options>}, {@code -Dalloc.*}), or empty. */
        public String agentOptions() {
            List<String> options = new ArrayList<>();
            for (String argument : jvmArguments.split("\\s+")) {
                int jar = argument.indexOf(".jar=");
                if (argument.startsWith("-javaagent:") && jar > 0 && argument.substring(0, jar).endsWith("alloc")) {
                    options.add(argument.substring(jar + ".jar=".length()));
                } else if (argument.startsWith("-Dalloc.")) {
                    options.add(argument.substring("-D".length()));
                }
            }
            return String.join(" ", options);
        }
    }

    /** One {@code OffHeapStatistics} sample. */
    public record Statistics(Instant time, long used, long limit, long peak, long[] usedByKind, String strategy) {
    }

    /** A {@code LimitExceeded} ({@code warning} false) or {@code LimitWarning} event. */
    public record LimitEvent(Instant time, boolean warning, String kind, long requested, long used, long limit,
                             String site, String topSite) {
    }

    /** One {@code CallSiteUsage} sample of a site. */
    public record SiteSample(Instant time, long liveBytes) {
    }

    /** A site's samples and the counters of its last sample. */
    public static final class Site {
        final String site;
        final String kind;
        final List<SiteSample> samples = new ArrayList<>();
        long liveBytes;
        long liveCount;
        long peakLiveBytes;
        long totalBytes;
        long totalCount;
        long freedExplicitBytes;
        long freedByGcBytes;
        long freedByCloseBytes;
        Duration oldestLiveAge = Duration.ZERO;
        int limitHits;

        Site(String site, String kind) {
            this.site = site;
            this.kind = kind;
        }

        public String site() {
            return site;
        }

        public String kind() {
            return kind;
        }

        public long liveBytes() {
            return liveBytes;
        }

        public long liveCount() {
            return liveCount;
        }

        public long peakLiveBytes() {
            return peakLiveBytes;
        }

        public long totalBytes() {
            return totalBytes;
        }

        public long totalCount() {
            return totalCount;
        }

        public long freedExplicitBytes() {
            return freedExplicitBytes;
        }

        public long freedByGcBytes() {
            return freedByGcBytes;
        }

        public long freedByCloseBytes() {
            return freedByCloseBytes;
        }

        public Duration oldestLiveAge() {
            return oldestLiveAge;
        }

        /** Limit events this site caused (its allocation was the one over the limit). */
        public int limitHits() {
            return limitHits;
        }

        public List<SiteSample> samples() {
            return Collections.unmodifiableList(samples);
        }

        /** The most live bytes any sample of this site shows. */
        long sampledPeak() {
            long max = 0;
            for (SiteSample sample : samples) {
                max = Math.max(max, sample.liveBytes());
            }
            return max;
        }
    }

    private static final String[] KIND_FIELDS = {"usedDirect", "usedUnsafe", "usedFfm", "usedMalloc"};

    private final Path file;
    private final List<Statistics> statistics = new ArrayList<>();
    private final Map<String, Site> sites = new LinkedHashMap<>();
    private final List<LimitEvent> limitEvents = new ArrayList<>();
    private final AllocationStacks stacks = new AllocationStacks();
    private long pid;
    private String jvmArguments = "";
    private final Map<String, String> properties = new HashMap<>();
    private Instant start;
    private Instant end;
    private long otherEvents;

    private Recording(Path file) {
        this.file = file;
    }

    public static Recording read(Path file) throws IOException {
        Recording recording = new Recording(file);
        List<RecordedEvent> siteEvents = new ArrayList<>();
        try (RecordingFile in = new RecordingFile(file)) {
            while (in.hasMoreEvents()) {
                RecordedEvent event = in.readEvent();
                recording.widen(event.getStartTime());
                switch (event.getEventType().getName()) {
                    case STATISTICS -> recording.statistics.add(new Statistics(event.getEndTime(), number(event, "used"),
                            number(event, "limit"), number(event, "peak"), usedByKind(event), text(event, "strategy")));
                    case SITE_USAGE -> siteEvents.add(event);
                    case LIMIT_EXCEEDED, LIMIT_WARNING -> recording.limitEvents.add(new LimitEvent(event.getStartTime(),
                            event.getEventType().getName().equals(LIMIT_WARNING), text(event, "kind"),
                            number(event, "requested"), number(event, "used"), number(event, "limit"),
                            text(event, "site"), text(event, "topSite")));
                    case ALLOCATION -> recording.stacks.allocated(event);
                    case FREE -> recording.stacks.freed(event);
                    case JVM_INFORMATION -> {
                        recording.pid = number(event, "pid");
                        recording.jvmArguments = text(event, "jvmArguments");
                    }
                    case SYSTEM_PROPERTY -> recording.properties.put(text(event, "key"), text(event, "value"));
                    default -> recording.otherEvents++;
                }
            }
        }
        recording.statistics.sort(Comparator.comparing(Statistics::time));
        recording.limitEvents.sort(Comparator.comparing(LimitEvent::time));
        siteEvents.sort(Comparator.comparing(RecordedEvent::getEndTime));
        for (RecordedEvent event : siteEvents) {
            recording.addSiteSample(event);
        }
        for (LimitEvent event : recording.limitEvents) {
            if (!event.warning()) {
                Site site = recording.sites.get(key(event.site(), event.kind()));
                if (site != null) {
                    site.limitHits++;
                }
            }
        }
        return recording;
    }

    private void addSiteSample(RecordedEvent event) {
        String name = text(event, "site");
        String kind = text(event, "kind");
        Site site = sites.computeIfAbsent(key(name, kind), k -> new Site(name, kind));
        site.liveBytes = number(event, "liveBytes");
        site.liveCount = number(event, "liveCount");
        site.peakLiveBytes = number(event, "peakLiveBytes");
        site.totalBytes = number(event, "totalBytes");
        site.totalCount = number(event, "totalCount");
        site.freedExplicitBytes = number(event, "freedExplicitBytes");
        site.freedByGcBytes = number(event, "freedByGcBytes");
        site.freedByCloseBytes = number(event, "freedByCloseBytes");
        site.oldestLiveAge = event.hasField("oldestLiveAge") ? event.getDuration("oldestLiveAge") : Duration.ZERO;
        site.samples.add(new SiteSample(event.getEndTime(), site.liveBytes));
    }

    private static String key(String site, String kind) {
        return kind + ' ' + site;
    }

    private void widen(Instant time) {
        if (start == null || time.isBefore(start)) {
            start = time;
        }
        if (end == null || time.isAfter(end)) {
            end = time;
        }
    }

    private static long number(RecordedEvent event, String field) {
        return event.hasField(field) ? event.getLong(field) : 0;
    }

    private static String text(RecordedEvent event, String field) {
        String value = event.hasField(field) ? event.getString(field) : null;
        return value != null ? value : "";
    }

    private static long[] usedByKind(RecordedEvent event) {
        long[] used = new long[KIND_FIELDS.length];
        for (int i = 0; i < used.length; i++) {
            used[i] = number(event, KIND_FIELDS[i]);
        }
        return used;
    }

    public Path file() {
        return file;
    }

    /** Statistics samples, oldest first. */
    public List<Statistics> statistics() {
        return Collections.unmodifiableList(statistics);
    }

    /** Limit events and warnings, oldest first. */
    public List<LimitEvent> limitEvents() {
        return Collections.unmodifiableList(limitEvents);
    }

    /** Sites by live bytes at the end of the recording, then by their peak, largest first. */
    public List<Site> sitesByLiveBytes() {
        List<Site> sorted = new ArrayList<>(sites.values());
        sorted.sort(Comparator.comparingLong(Site::liveBytes).thenComparingLong(Site::peakLiveBytes).reversed());
        return sorted;
    }

    /** Sites by the most live bytes they showed in any sample, largest first: who mattered over time. */
    public List<Site> sitesBySampledPeak() {
        List<Site> sorted = new ArrayList<>(sites.values());
        sorted.sort(Comparator.comparingLong(Site::sampledPeak).reversed());
        return sorted;
    }

    public boolean hasAgentEvents() {
        return !statistics.isEmpty() || !sites.isEmpty() || !limitEvents.isEmpty();
    }

    /** The first event's start, or null for an empty recording. */
    public Instant start() {
        return start;
    }

    public Instant end() {
        return end;
    }

    /** The recorded JVM: pid, Java version, arguments (empty when the recording lacks the JDK's events). */
    public Jvm jvm() {
        String vm = properties.getOrDefault("java.vm.name", "");
        String vendor = properties.getOrDefault("java.vm.vendor", "");
        return new Jvm(pid, properties.getOrDefault("java.vm.version", ""),
                vm + (vm.isEmpty() || vendor.isEmpty() ? "" : ", ") + vendor, jvmArguments);
    }

    /** The {@code Allocation} (and {@code Free}) events by stack. */
    AllocationStacks allocationStacks() {
        return stacks;
    }

    /** The last statistics sample, or null. */
    public Statistics last() {
        return statistics.isEmpty() ? null : statistics.get(statistics.size() - 1);
    }

    /** The highest peak any statistics sample shows. */
    public long peak() {
        long peak = 0;
        for (Statistics s : statistics) {
            peak = Math.max(peak, Math.max(s.peak(), s.used()));
        }
        return peak;
    }
}
