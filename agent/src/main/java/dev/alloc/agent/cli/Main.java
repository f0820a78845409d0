package dev.alloc.agent.cli;

import dev.alloc.agent.options.OptionParser;

/** {@code java -jar alloc.jar <command>}: the command line of the agent jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            System.out.println(Help.TEXT);
            return;
        }
        System.err.println("alloc: unknown command '" + args[0] + "'; valid: --help");
        System.exit(2);
    }

    /** The help text. */
    static final class Help {
        static final String TEXT = String.join("\n",
                "alloc: caps, attributes and pools a Java process's off-heap memory.",
                "",
                "As an agent:  java -javaagent:alloc.jar=<key>=<value>,... -jar app.jar",
                "  options: " + OptionParser.keys(),
                "  (also -Dalloc.<key>=<value>; the agent argument wins). See the README's option table.",
                "",
                "Commands:",
                "  java -jar alloc.jar --help     this text");
    }
}
