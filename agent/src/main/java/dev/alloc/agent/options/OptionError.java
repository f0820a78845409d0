package dev.alloc.agent.options;

/**
 * A user's option that cannot be used. Its message is the whole line the user sees, without the
 * {@code alloc: } prefix: {@code <what is wrong>; valid: <the valid keys or values>}.
 */
public final class OptionError extends Exception {
    private static final long serialVersionUID = 1L;

    public OptionError(String whatIsWrong, String valid) {
        super(whatIsWrong + "; valid: " + valid, null, false, false);
    }
}
