package dev.alloc.runtime;

/** The accounting's events handed to Flight Recorder through {@link FlightEvents} (nothing without the JFR side). */
final class RecorderEvents implements AccountingEvents {
    @Override
    public void freed(int kind, long size, long address, int site) {
        FlightEvents.freed(kind, size, address, site);
    }

    @Override
    public void limitExceeded(int kind, long requested, long used, long limit, int which, int site) {
        FlightEvents.limitExceeded(kind, requested, used, limit, which, site);
    }

    @Override
    public void limitWarning(int which, long used, long limit, int site) {
        if (FlightEvents.active()) {
            FlightEvents.limitWarning(which, used, limit, site);
        }
    }
}
