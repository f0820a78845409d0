package dev.alloc.agent;

import dev.alloc.runtime.FlightEvents;
import dev.alloc.runtime.report.Log;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code jfr=on} / {@code jfr=<file>}: starts a Flight Recorder recording with the JDK's default
 * settings plus the shipped {@code alloc.jfc}, as {@code -XX:StartFlightRecording:settings=default,
 * settings=alloc.jfc} would. The runtime starts it (it owns the event classes); the settings file
 * is read here because the bootstrap class loader cannot see the agent jar's resources.
 */
final class AgentRecording {
    /** Where {@code alloc.jfc} sits inside the agent jar (also copied next to it at build time). */
    static final String JFC_RESOURCE = "/dev/alloc/agent/alloc.jfc";

    private AgentRecording() {
    }

    static void start(String target) {
        if (!FlightEvents.jfrAvailable()) {
            Log.warn("jfr=" + target + " needs the jdk.jfr module, which this Java runtime lacks; no recording started");
            return;
        }
        String jfc;
        try (InputStream in = AgentRecording.class.getResourceAsStream(JFC_RESOURCE)) {
            if (in == null) {
                Log.warn("alloc.jfc is missing from the agent jar; no recording started");
                return;
            }
            jfc = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            Log.warn("cannot read alloc.jfc from the agent jar; no recording started: " + e);
            return;
        }
        FlightEvents.startRecording(target, jfc);
    }
}
