package dev.alloc.agent.command;

import java.io.IOException;

/**
 * The target's side of the command channel: {@code agentmain} hands over an argument that is a
 * {@link Request}. No port, no socket: the request arrives through the attach API, the answer
 * goes into the file the command line named. Touches no runtime class unless the agent is
 * running (a JVM that never started it has none in its bootstrap loader).
 */
public final class Commands {
    /** Starts an answer that is an error message. */
    public static final String ERROR = "error: ";

    private Commands() {
    }

    /** Never throws: this runs on the target's attach listener thread. */
    public static void run(String agentArgs, boolean agentRunning) {
        Request request;
        try {
            request = Request.parse(agentArgs);
        } catch (RuntimeException e) {
            return;
        }
        if (request == null) {
            return; // no file to answer in: the command line reports the silence
        }
        try {
            if (!agentRunning) {
                AnswerFile.write(request.answer, ERROR + "no alloc agent is running in this JVM");
                return;
            }
            CommandWork.run(request);
        } catch (IOException | RuntimeException | LinkageError e) {
            // the command line is gone or its file was tampered with: nobody to tell
        }
    }
}
