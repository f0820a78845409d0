package dev.alloc.it.programs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * Starts Flight Recorder only after the agent is running, as {@code jcmd <pid> JFR.start} does:
 * 3 x 1,999,993 bytes held before the recording, 4 x 1,048,583 during it, with the settings file
 * given as {@code args[0]}; the recording is written to {@code args[1]}.
 */
public final class LateRecording {
    static final List<ByteBuffer> HELD = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 3; i++) {
            before();
        }
        try (Recording recording = new Recording(Configuration.create(Paths.get(args[0])))) {
            recording.start();
            for (int i = 0; i < 4; i++) {
                during();
            }
            Thread.sleep(2_200);
            recording.stop();
            Path file = Paths.get(args[1]);
            recording.dump(file);
        }
        System.out.println("held " + HELD.size());
    }

    static void before() {
        HELD.add(ByteBuffer.allocateDirect(1_999_993));
    }

    static void during() {
        HELD.add(ByteBuffer.allocateDirect(1_048_583));
    }
}
