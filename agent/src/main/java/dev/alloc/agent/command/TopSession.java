package dev.alloc.agent.command;

import dev.alloc.runtime.SiteContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code top}: one attach starts a session; the agent rewrites the answer file every second
 * until the command line's process is gone or its file is (Ctrl-C deletes it). One attach per
 * session, not per refresh: every agent load creates a JVM TI environment the JVM never frees,
 * and on JDK 21+ prints a four-line warning in the target unless it runs with
 * {@code -XX:+EnableDynamicAgentLoading}.
 *
 * <p>The value is {@code <rows>,<pid of the command line>}. The first frame is written before
 * the attach returns; the thread ({@code alloc-top}, a daemon) runs marked as agent code.
 */
final class TopSession implements Runnable {
    static final long PERIOD_MILLIS = 1000;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Path answer;
    private final int rows;
    private final ProcessHandle viewer;

    private TopSession(Path answer, int rows, ProcessHandle viewer) {
        this.answer = answer;
        this.rows = rows;
        this.viewer = viewer;
    }

    static void start(Request request) throws IOException {
        String[] parts = request.value.split(",");
        ProcessHandle viewer = ProcessHandle.of(Long.parseLong(parts[1])).orElse(null);
        if (viewer == null) {
            return;
        }
        TopSession session = new TopSession(request.answer, Integer.parseInt(parts[0]), viewer);
        session.writeFrame();
        Thread thread = new Thread(session, "alloc-top");
        thread.setDaemon(true);
        thread.start();
    }

    private void writeFrame() throws IOException {
        AnswerFile.write(answer, LocalTime.now().format(CLOCK) + "  " + StatusText.of(rows));
    }

    @Override
    public void run() {
        SiteContext.current().enterAgent(); // for the life of this thread
        try {
            while (viewer.isAlive()) {
                Thread.sleep(PERIOD_MILLIS);
                if (!viewer.isAlive()) {
                    return;
                }
                writeFrame();
            }
        } catch (IOException | InterruptedException e) {
            // the viewer deleted its file (Ctrl-C) or the JVM is going: the session is over
        }
    }
}
