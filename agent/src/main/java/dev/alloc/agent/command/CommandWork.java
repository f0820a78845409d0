package dev.alloc.agent.command;

import dev.alloc.runtime.ExitReport;
import dev.alloc.runtime.LimitChange;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.SiteContext;
import dev.alloc.runtime.report.Sizes;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs a command in the target, on the thread that loaded the agent (the JVM's attach listener),
 * marked as agent code for the whole time: nothing it allocates (the answer file's I/O buffers
 * among them) is counted, limited or named as a site of the application.
 */
final class CommandWork {
    private CommandWork() {
    }

    static void run(Request request) throws IOException {
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            if (request.name.equals("top")) {
                TopSession.start(request);
            } else {
                AnswerFile.write(request.answer, answer(request));
            }
        } catch (RuntimeException | Error e) {
            AnswerFile.write(request.answer, Commands.ERROR + e);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    private static String answer(Request request) {
        switch (request.name) {
            case "status":
                return StatusText.of(Integer.parseInt(request.value));
            case "limit":
                return limit(Long.parseLong(request.value));
            case "report":
                StringWriter text = new StringWriter();
                ExitReport.write(new PrintWriter(text));
                return text.toString();
            default:
                return Commands.ERROR + "this agent has no command '" + request.name + "' (is it older than the command line?)";
        }
    }

    private static String limit(long bytes) {
        long was = LimitChange.apply(OffHeap.limiter(), bytes, "by the limit command");
        long used = OffHeap.limiter().used(Limiter.TOTAL);
        return "alloc in JVM " + ProcessHandle.current().pid() + ": limit " + describe(bytes) + ", was " + describe(was)
                + "; used " + StatusText.bytes(used) + (bytes > 0 && used > bytes
                        ? "; nothing allocated is touched, every new allocation fails until use falls below the limit" : "")
                + "\n";
    }

    private static String describe(long limit) {
        return limit > 0 ? Sizes.human(limit) + " (" + limit + " bytes)" : LimitChange.describe(0);
    }
}
