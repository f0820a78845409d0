package dev.alloc.runtime;

/**
 * Where the {@link Accounting} reports what it saw: frees (of at least
 * {@link FlightEvents#freeMinSize()}, a static gate read on every free, like the allocation
 * gate the hooks read: no call on the common path), limits exceeded and limit warnings.
 * {@link FlightEvents#EVENTS} turns them into Flight Recorder events; it is the only
 * implementation in a running agent (the call sites stay monomorphic); tests record them. None
 * of the methods throws.
 */
interface AccountingEvents {
    void freed(int kind, long size, long address, int site);

    void limitExceeded(int kind, long requested, long used, long limit, int which, int site);

    void limitWarning(int which, long used, long limit, int site);
}
