package dev.alloc.runtime.jmx;

import java.util.Map;

/**
 * The agent's numbers for JMX clients (JConsole, JMC, Prometheus' JMX exporter), registered as
 * {@code dev.alloc:type=OffHeap}. Every attribute maps to open types, so a client needs none of
 * the agent's classes: {@code UsedByKind} is a table of key/value rows, {@code TopSites} an
 * array of composite rows.
 */
public interface OffHeapMXBean {
    /** The object name the agent registers under. */
    String OBJECT_NAME = "dev.alloc:type=OffHeap";

    /** The cap on live off-heap bytes of all kinds together; 0 means none (tracking only). */
    long getLimit();

    /**
     * Sets the cap; it applies to the next allocation. Lowering it below {@link #getUsed()} makes
     * new allocations fail until usage drops; nothing already allocated is touched. 0 removes it.
     */
    void setLimit(long bytes);

    /** Live off-heap bytes of all tracked kinds. */
    long getUsed();

    /** The highest {@link #getUsed()} since start or the last {@link #resetPeak()}. */
    long getPeak();

    /** Live bytes per kind: {@code direct}, {@code unsafe}, {@code ffm}, {@code malloc}. */
    Map<String, Long> getUsedByKind();

    /** Live bytes charged to each budget ({@code budget.<prefix>=<size>}), by prefix; empty without budgets. */
    Map<String, Long> getUsedByBudget();

    /** Where raw memory comes from ({@code strategy=}). */
    String getStrategy();

    /** The sites holding the most live bytes, largest first. */
    SiteUsage[] getTopSites();

    /** Sets the peak (total and per kind) to what is used now. */
    void resetPeak();
}
