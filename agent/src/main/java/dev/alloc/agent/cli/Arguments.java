package dev.alloc.agent.cli;

/** Checks of command-line values, each failing with a one-line usage error. */
final class Arguments {
    private Arguments() {
    }

    static int positiveInt(String option, String value) throws CommandError {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CommandError("bad value '" + value + "' for " + option + "; valid: a whole number above 0", 2);
    }
}
