package dev.alloc.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import dev.alloc.agent.AttachState;
import dev.alloc.agent.options.OptionError;
import dev.alloc.agent.options.OptionParser;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Properties;

/**
 * {@code java -jar alloc.jar attach <pid> [options]}: loads this jar as an agent into a running
 * JVM. The options are checked here first, so a typo never reaches the target; the target's
 * start-up line (or its error) is read back and printed.
 */
final class AttachCommand {
    static final String USAGE = "java -jar alloc.jar attach <pid> [key=value,...]";

    private AttachCommand() {
    }

    static void run(String[] args, PrintStream out) throws CommandError {
        if (args.length < 1) {
            throw new CommandError("attach needs a process id: " + USAGE, 2);
        }
        String options = String.join(",", Arrays.asList(args).subList(1, args.length));
        try {
            OptionParser.parse(options, new Properties(), warning -> out.println("alloc: " + warning));
        } catch (OptionError e) {
            throw new CommandError(e.getMessage(), 2);
        }
        try (TargetVm target = TargetVm.attach(args[0])) {
            int feature = target.feature();
            out.println("alloc: attaching to JVM " + target.pid + " (JDK " + feature + ")"
                    + (options.isEmpty() ? "" : " with " + options));
            out.println("alloc: allocations made before attaching are not known: they are neither counted nor limited,"
                    + " and freeing them changes nothing");
            if (feature >= 21) {
                out.println("alloc: JDK " + feature + " prints a warning when an agent is loaded into a running JVM,"
                        + " unless it was started with -XX:+EnableDynamicAgentLoading (which -XX:-EnableDynamicAgentLoading forbids)");
            }
            try {
                target.vm.loadAgent(agentJar(), options);
            } catch (AgentLoadException | AgentInitializationException e) {
                throw new CommandError("JVM " + target.pid + " refused the agent: " + e.getMessage()
                        + (feature >= 21 ? " (start it with -XX:+EnableDynamicAgentLoading)" : ""), 1);
            }
            String state = target.property(AttachState.PROPERTY);
            if (state == null) {
                throw new CommandError("the agent did not start in JVM " + target.pid + "; see its standard error", 1);
            }
            if (state.startsWith("error: ")) {
                throw new CommandError("JVM " + target.pid + " refused the options (it keeps running, untracked): "
                        + state.substring(7), 1);
            }
            out.println("alloc: JVM " + target.pid + ": " + state);
        } catch (IOException e) {
            throw new CommandError("lost JVM " + args[0] + " while attaching: " + e.getMessage(), 1);
        }
    }

    static String agentJar() throws CommandError {
        try {
            return new File(AttachCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (Exception e) {
            throw new CommandError("cannot find alloc.jar: " + e, 1);
        }
    }
}
