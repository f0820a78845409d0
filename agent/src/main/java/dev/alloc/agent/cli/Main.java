package dev.alloc.agent.cli;

import dev.alloc.agent.options.OptionParser;
import java.io.PrintStream;
import java.util.Arrays;

/** {@code java -jar alloc.jar <command>}: the command line of the agent jar. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command; returns the exit status (0 ok, 1 failed, 2 bad usage). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(Help.USAGE);
            return 2;
        }
        if (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println(Help.TEXT);
            return 0;
        }
        if (args[0].equals("--version") || args[0].equals("version")) {
            out.println(version());
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "attach":
                    AttachCommand.run(rest, out);
                    return 0;
                case "status":
                    StatusCommand.run(rest, out);
                    return 0;
                case "report":
                    ReportCommand.run(rest, out);
                    return 0;
                case "limit":
                    LimitCommand.run(rest, out);
                    return 0;
                case "top":
                    TopCommand.run(rest, out);
                    return 0;
                default:
                    err.println("alloc: unknown command '" + args[0] + "'; valid: attach, status, limit, report, top, --help, "
                            + "--version");
                    return 2;
            }
        } catch (CommandError e) {
            err.println("alloc: " + e.getMessage());
            return e.status;
        } catch (NoClassDefFoundError e) {
            err.println("alloc: this Java runtime lacks a module the command needs (" + e.getMessage()
                    + "); run it with a full JDK's java");
            return 1;
        }
    }

    /** {@code alloc <version of the jar> on Java <runtime version>}. */
    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return "alloc " + (version == null ? "(version unknown: not run from alloc.jar)" : version)
                + " on Java " + Runtime.version();
    }

    /** The help text. */
    static final class Help {
        /** What a run with no argument prints on standard error (with exit status 2). */
        static final String USAGE = String.join("\n",
                "usage: " + AttachCommand.USAGE,
                "       " + StatusCommand.USAGE,
                "       " + LimitCommand.USAGE,
                "       " + TopCommand.USAGE,
                "       " + ReportCommand.USAGE_PID,
                "       " + ReportCommand.USAGE,
                "       java -jar alloc.jar --help | --version",
                "As an agent: java -javaagent:alloc.jar=limit=512m,report=stderr -jar app.jar (options: --help)");

        static final String TEXT = String.join("\n",
                "alloc: caps, attributes and pools a Java process's off-heap memory.",
                "",
                "As an agent:  java -javaagent:alloc.jar=<key>=<value>,... -jar app.jar",
                "  (also -Dalloc.<key>=<value>; the agent argument wins). Sizes: 65536, 512k, 64m, 1g (binary units).",
                "  Lists take '+' (no quotes needed in a shell): track=direct+unsafe. ';' works too, quoted.",
                "  A bad key or value stops the JVM at start with one line and exit status 1.",
                "  limit=<size>|auto    cap on live off-heap bytes, all kinds together (default: none, track only);",
                "                       auto = (container memory limit - max heap) less the headroom",
                "  headroom=<0-99>%     with limit=auto, the share kept free for thread stacks, metaspace... (25%)",
                "  limit.direct=, limit.unsafe=, limit.ffm=, limit.malloc=<size>   cap for one kind, inside limit",
                "  limit.mapped=<size>  cap on file mappings (FileChannel.map, FFM), which are outside limit (none)",
                "  budget.<package>=<size>   a cap for the memory whose call site lies in a package prefix, also",
                "                       charged to its kind and limit; one key per prefix, e.g. budget.io.netty=256m",
                "  policy=throw|warn|exit   over the limit: fail the allocation with OffHeapLimitExceededError (throw),",
                "                       allow it and log it (warn), or log the error with the top sites, write the",
                "                       report and exit the JVM with status 3 (exit; other threads reaching a limit",
                "                       meanwhile wait for the exit)",
                "  warn=<1-100>         percent of a limit at which one warning is logged (90)",
                "  strategy=system|slab|buddy|tlsf|arena   where raw memory comes from: malloc, or a pool (system)",
                "  pool=<size>          size of the region a pool strategy manages (the limit)",
                "  pool.fallback=system|fail   when the pool cannot serve: malloc, still under the limit, or fail (system)",
                "  track=<kinds>        kinds to track, '+'-separated: direct+unsafe+ffm+malloc+mapped (all)",
                "  sites=on|off         call-site attribution (on)",
                "  site.skip=<prefixes> package prefixes to skip when naming a site, '+'-separated, e.g. io.netty.+org.agrona.",
                "                       (with no other frame on the stack: the skipped frame that called the JDK,",
                "                       marked [skipped; no application frame])",
                "  report=stderr|<file>|off   at exit, the site table (off)",
                "  jfr=on|<file>|off    a JFR recording with the shipped alloc.jfc, written at exit; on: alloc-<pid>-<start",
                "                       time>.jfr in the working directory; read it with the report command (off)",
                "  Files (report=, jfr=) are written as a new 0600 file renamed into place: an existing regular file is",
                "  replaced whole; a symbolic link, a directory or any other file is refused (one line; the report then",
                "  goes to standard error).",
                "  log=quiet|info|debug the agent's own lines on standard error (info)",
                "  all keys: " + OptionParser.keys(),
                "",
                "Commands:",
                "  " + AttachCommand.USAGE,
                "      Loads the agent into a running JVM (same user; JDK 17+). Allocations made before attaching",
                "      are not known. JDK 21+ warns unless the JVM was started with -XX:+EnableDynamicAgentLoading.",
                "      Options are checked before attaching; a bad option never stops the target.",
                "  " + StatusCommand.USAGE,
                "      Prints a running agent's used, limit, peak, use by kind and by budget, and top sites (default 10).",
                "  " + LimitCommand.USAGE,
                "      Changes a running agent's limit, as the MXBean's Limit does (none: track only).",
                "  " + ReportCommand.USAGE_PID,
                "      Prints a running agent's exit report, now.",
                "  " + TopCommand.USAGE,
                "      The status, refreshed every second until Ctrl-C (or FRAMES frames); top 20 sites by default.",
                "      status, limit, report <pid> and top load alloc.jar into the target through the attach API with",
                "      the command as its argument; the running agent answers in a file this command made in a private",
                "      directory (0700) and removes. No port, no JMX agent; same user as the target, as for attach.",
                "      A pid that is not a JVM of this user is refused before anything is sent to it. On JDK 21+ each",
                "      command makes the target print the JDK's dynamic-agent warning unless it runs with",
                "      -XX:+EnableDynamicAgentLoading; top loads the agent once per session.",
                "  " + ReportCommand.USAGE,
                "      Prints the site table of a JFR recording made with the agent (live bytes and count at the end,",
                "      peak, totals, how memory was freed, oldest live block, limit hits; top 20 by default) and the",
                "      limit events. --html writes one self-contained page (no network) with used vs limit over time,",
                "      the top sites' live bytes over time (stacked), a flame graph of the allocated bytes by stack",
                "      (and of the live bytes when Free events were recorded), the site table and the limit events.",
                "  java -jar alloc.jar --help",
                "      This text.",
                "  java -jar alloc.jar --version",
                "      The agent's version and the Java running it.",
                "",
                "JMX: MXBean dev.alloc:type=OffHeap: Limit (writable, bytes, 0 = none), Used, Peak, UsedByKind,",
                "  Strategy, TopSites; operation resetPeak().",
                "Exit status of the commands: 0 ok, 1 failed, 2 bad usage.");
    }
}
