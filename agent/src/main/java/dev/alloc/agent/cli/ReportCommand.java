package dev.alloc.agent.cli;

import dev.alloc.agent.report.HtmlReport;
import dev.alloc.agent.report.Recording;
import dev.alloc.agent.report.TextReport;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * {@code java -jar alloc.jar report <recording.jfr> [--top N] [--html out.html]}: the site table
 * and limit events of a recording as text, and optionally as a self-contained HTML page.
 * {@code report <pid>}: a running agent's exit report, now (through {@link CommandChannel}).
 */
final class ReportCommand {
    static final String USAGE = "java -jar alloc.jar report <recording.jfr> [--top N] [--html <out.html>]";
    static final String USAGE_PID = "java -jar alloc.jar report <pid>";

    private ReportCommand() {
    }

    static void run(String[] args, PrintStream out) throws CommandError {
        if (args.length == 1 && args[0].matches("[0-9]+") && !Files.exists(Paths.get(args[0]))) {
            try (CommandChannel channel = CommandChannel.open(args[0])) {
                out.print(channel.ask("report", "now"));
            }
            return;
        }
        Path file = null;
        Path html = null;
        int top = 20;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--top") && i + 1 < args.length) {
                top = Arguments.positiveInt("--top", args[++i]);
            } else if (args[i].equals("--html") && i + 1 < args.length) {
                html = Paths.get(args[++i]);
            } else if (!args[i].startsWith("--") && file == null) {
                file = Paths.get(args[i]);
            } else {
                throw new CommandError("bad argument '" + args[i] + "'; usage: " + USAGE, 2);
            }
        }
        if (file == null) {
            throw new CommandError("report needs a recording: " + USAGE, 2);
        }
        if (!Files.isReadable(file)) {
            throw new CommandError("cannot read " + file, 1);
        }
        if (!ModuleLayer.boot().findModule("jdk.jfr").isPresent()) {
            throw new CommandError("this Java runtime has no jdk.jfr module; run the command with a full JDK's java", 1);
        }
        Recording recording;
        try {
            recording = Recording.read(file);
        } catch (IOException e) {
            throw new CommandError("cannot read the recording " + file + ": " + e.getMessage(), 1);
        }
        if (!recording.hasAgentEvents()) {
            throw new CommandError(file + " has no dev.alloc events: record with jfr=<file>, or with "
                    + "-XX:StartFlightRecording:settings=default,settings=alloc.jfc", 1);
        }
        new TextReport(recording, top).write(out);
        if (html != null) {
            try (PrintStream page = new PrintStream(new FileOutputStream(html.toFile()), false, StandardCharsets.UTF_8)) {
                new HtmlReport(recording, top).write(page);
                if (page.checkError()) {
                    throw new IOException("write failed");
                }
            } catch (IOException e) {
                throw new CommandError("cannot write " + html + ": " + e.getMessage(), 1);
            }
            out.println();
            out.println("wrote " + html);
        }
    }
}
