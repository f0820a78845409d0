package dev.alloc.agent.cli;

/** A command failed with a message for the user and an exit status (2: bad usage, 1: failure). */
final class CommandError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    CommandError(String message, int status) {
        super(message);
        this.status = status;
    }
}
