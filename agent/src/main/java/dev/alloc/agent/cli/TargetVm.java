package dev.alloc.agent.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A running JVM reached through the attach API (the {@code jdk.attach} module): no port, no
 * flag needed, but the same user as the target, and a JDK (not a bare JRE) for this command.
 *
 * <p>The pid is looked up in the attach provider's list of JVMs first ({@link VirtualMachine#list()},
 * what {@code jps} shows: the JVMs of this user that publish attach information). Only a listed
 * pid is attached to: attaching signals the target ({@code SIGQUIT} on Linux), which kills a
 * process that is not a JVM. The list reads the performance data of every JVM of the user, which
 * takes seconds on a busy machine with many JVMs; on Linux a pid without a performance data file
 * ({@code hsperfdata_<user>/<pid>} in {@code /tmp} or in the process's own {@code /tmp}), which
 * the list can never hold, is refused before it is read.
 */
final class TargetVm implements AutoCloseable {
    final String pid;
    final VirtualMachine vm;

    private TargetVm(String pid, VirtualMachine vm) {
        this.pid = pid;
        this.vm = vm;
    }

    static TargetVm attach(String pid) throws CommandError {
        checkListed(pid);
        try {
            return new TargetVm(pid, VirtualMachine.attach(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw new CommandError("cannot attach to JVM " + pid + ": " + e.getMessage()
                    + " (was it started with -XX:+DisableAttachMechanism?)", 1);
        }
    }

    /** Fails unless {@code pid} is a JVM of this user that the attach provider lists; never touches the process. */
    static void checkListed(String pid) throws CommandError {
        if (!pid.matches("[0-9]+")) {
            throw new CommandError("'" + pid + "' is not a process id; list Java processes with: jps -l", 2);
        }
        if (!ModuleLayer.boot().findModule("jdk.attach").isPresent()) {
            throw new CommandError("this Java runtime has no jdk.attach module; run the command with a full JDK's java", 1);
        }
        if (mayBeListed(pid)) {
            for (VirtualMachineDescriptor listed : VirtualMachine.list()) {
                if (listed.id().equals(pid)) {
                    return;
                }
            }
        }
        throw new CommandError(pid + " is not a Java process of this user (jps -l lists those); nothing was sent to it", 1);
    }

    /** False when {@code pid} cannot be in the attach provider's list: no process, or no performance data file. */
    static boolean mayBeListed(String pid) {
        if (!Files.isDirectory(Paths.get("/proc/self"))) {
            return true; // not Linux: the list alone decides
        }
        Path process = Paths.get("/proc", pid);
        if (!Files.isDirectory(process)) {
            return false;
        }
        for (Path tmp : new Path[] {Paths.get("/tmp"), process.resolve("root/tmp")}) {
            try (DirectoryStream<Path> users = Files.newDirectoryStream(tmp, "hsperfdata_*")) {
                for (Path user : users) {
                    if (Files.exists(user.resolve(pid))) {
                        return true;
                    }
                }
            } catch (IOException | SecurityException e) {
                // not ours to read: the list cannot show it either
            }
        }
        return false;
    }

    /** The target's Java feature version, e.g. 25. */
    int feature() throws IOException {
        String version = vm.getSystemProperties().getProperty("java.specification.version", "0");
        try {
            return Integer.parseInt(version.startsWith("1.") ? version.substring(2) : version);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    String property(String name) throws IOException {
        return vm.getSystemProperties().getProperty(name);
    }

    @Override
    public void close() {
        try {
            vm.detach();
        } catch (IOException e) {
            // the target went away; nothing to release
        }
    }
}
