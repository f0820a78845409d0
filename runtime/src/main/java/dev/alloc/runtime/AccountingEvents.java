package dev.alloc.runtime;

/**
 * Where the {@link Accounting} reports what it saw: frees (behind the {@link #freeMinSize} gate),
 * limits exceeded and limit warnings. {@link FlightEvents#EVENTS} turns them into Flight
 * Recorder events; it is the only implementation in a running agent (the call sites stay
 * monomorphic); tests record them. None of the methods throws.
 */
interface AccountingEvents {
    /** The smallest freed size that is reported; {@code Long.MAX_VALUE} for none. */
    long freeMinSize();

    void freed(int kind, long size, long address, int site);

    void limitExceeded(int kind, long requested, long used, long limit, int which, int site);

    void limitWarning(int which, long used, long limit, int site);
}
