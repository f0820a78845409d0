package dev.alloc.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * The agent's events of one recording, read once and gathered the way the tests look at them:
 * every event by type, each site's latest {@code dev.alloc.CallSiteUsage} (latest by start time,
 * not by position in the file: chunks need not be in time order), the bytes of
 * {@code dev.alloc.Allocation} events by site.
 */
final class RecordedEvents {
    private final Map<String, List<RecordedEvent>> byType = new HashMap<>();
    private final Map<String, RecordedEvent> lastUsage = new HashMap<>();
    private final Map<String, Long> allocatedBySite = new HashMap<>();

    RecordedEvents(Path file) throws IOException {
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            byType.computeIfAbsent(type, t -> new ArrayList<>()).add(event);
            if (type.equals("dev.alloc.CallSiteUsage")) {
                lastUsage.merge(event.getString("site"), event, RecordedEvents::later);
            } else if (type.equals("dev.alloc.Allocation")) {
                allocatedBySite.merge(event.getString("site"), event.getLong("size"), Long::sum);
            }
        }
    }

    /** Every event of this type, in file order (none: an empty list). */
    List<RecordedEvent> ofType(String type) {
        return byType.getOrDefault(type, List.of());
    }

    /** The event of this type with the latest start time, or null. */
    RecordedEvent latest(String type) {
        RecordedEvent latest = null;
        for (RecordedEvent event : ofType(type)) {
            latest = latest == null ? event : later(latest, event);
        }
        return latest;
    }

    /** Each site's latest {@code dev.alloc.CallSiteUsage}. */
    Map<String, RecordedEvent> lastUsage() {
        return lastUsage;
    }

    /** The sum of the sizes of each site's {@code dev.alloc.Allocation} events. */
    Map<String, Long> allocatedBySite() {
        return allocatedBySite;
    }

    /** The later of two events; on a tie the one read last. */
    private static RecordedEvent later(RecordedEvent old, RecordedEvent now) {
        return now.getStartTime().isBefore(old.getStartTime()) ? old : now;
    }
}
