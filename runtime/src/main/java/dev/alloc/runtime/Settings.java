package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import java.util.Arrays;

/**
 * The agent's validated options, as the runtime uses them. The agent parses and checks the
 * user's text ({@code dev.alloc.agent.options}); the runtime only ever sees values that are
 * already valid. Byte amounts of 0 mean "none".
 */
public final class Settings {
    public static final int POLICY_THROW = 0;
    public static final int POLICY_WARN = 1;
    public static final int POLICY_EXIT = 2;

    public final long limit;
    /** {@code limit=auto}: derive the limit from the container (see the agent's cgroup reader). */
    public final boolean limitAuto;
    public final int headroomPercent;
    /** Per-kind limits indexed by {@link Kind}; 0 for none. */
    private final long[] kindLimits;
    public final int policy;
    public final int warnPercent;
    public final String strategy;
    public final long pool;
    public final String poolFallback;
    /** Bit {@code 1 << kind} set for each tracked kind. */
    public final int trackMask;
    public final boolean sites;
    private final String[] skipPrefixes;
    /** {@code stderr}, a file path, or null for off. */
    public final String report;
    /** {@code on}, a recording file path, or null for off. */
    public final String jfr;
    public final int log;
    private final String[] budgetPrefixes;
    private final long[] budgetBytes;

    private Settings(Builder b) {
        limit = b.limit;
        limitAuto = b.limitAuto;
        headroomPercent = b.headroomPercent;
        kindLimits = b.kindLimits.clone();
        policy = b.policy;
        warnPercent = b.warnPercent;
        strategy = b.strategy;
        pool = b.pool;
        poolFallback = b.poolFallback;
        trackMask = b.trackMask;
        sites = b.sites;
        skipPrefixes = b.skipPrefixes.clone();
        report = b.report;
        jfr = b.jfr;
        log = b.log;
        budgetPrefixes = b.budgetPrefixes.toArray(new String[0]);
        budgetBytes = new long[budgetPrefixes.length];
        for (int i = 0; i < budgetBytes.length; i++) {
            budgetBytes[i] = b.budgetBytes.get(i);
        }
    }

    /** Package prefixes with a budget ({@code budget.<prefix>=<size>}), dotted, in option order. */
    public String[] budgetPrefixes() {
        return budgetPrefixes.clone();
    }

    /** The size of the budget of {@code budgetPrefixes()[i]}. */
    public long budgetBytes(int i) {
        return budgetBytes[i];
    }

    public long kindLimit(int kind) {
        return kindLimits[kind];
    }

    public boolean tracks(int kind) {
        return (trackMask & (1 << kind)) != 0;
    }

    public String[] skipPrefixes() {
        return skipPrefixes.clone();
    }

    /** These settings, tracking only the kinds in {@code mask} (kinds this JDK cannot track are dropped). */
    public Settings withTrackMask(int mask) {
        Builder b = toBuilder();
        b.trackMask = mask;
        return b.build();
    }

    /** These settings with the limit {@code limit=auto} derived ({@link #limitAuto} stays set). */
    public Settings withDerivedLimit(long bytes) {
        Builder b = toBuilder();
        b.limit = bytes;
        return b.build();
    }

    private Builder toBuilder() {
        Builder b = new Builder();
        b.limit = limit;
        b.limitAuto = limitAuto;
        b.headroomPercent = headroomPercent;
        System.arraycopy(kindLimits, 0, b.kindLimits, 0, Kind.COUNT);
        b.policy = policy;
        b.warnPercent = warnPercent;
        b.strategy = strategy;
        b.pool = pool;
        b.poolFallback = poolFallback;
        b.trackMask = trackMask;
        b.sites = sites;
        b.skipPrefixes = skipPrefixes.clone();
        b.report = report;
        b.jfr = jfr;
        b.log = log;
        for (int i = 0; i < budgetPrefixes.length; i++) {
            b.budget(budgetPrefixes[i], budgetBytes[i]);
        }
        return b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults as in the option table of DESIGN.md. */
    public static final class Builder {
        private long limit;
        private boolean limitAuto;
        private int headroomPercent = 25;
        private final long[] kindLimits = new long[Kind.COUNT];
        private int policy = POLICY_THROW;
        private int warnPercent = 90;
        private String strategy = "system";
        private long pool;
        private String poolFallback = "system";
        private int trackMask = Kind.ALL;
        private boolean sites = true;
        private String[] skipPrefixes = new String[0];
        private String report;
        private String jfr;
        private int log = Log.INFO;
        private final java.util.List<String> budgetPrefixes = new java.util.ArrayList<>();
        private final java.util.List<Long> budgetBytes = new java.util.ArrayList<>();

        /** A budget for the package prefix (dotted); a second one for the same prefix replaces the first. */
        public Builder budget(String prefix, long bytes) {
            int known = budgetPrefixes.indexOf(prefix);
            if (known >= 0) {
                budgetBytes.set(known, bytes);
            } else {
                budgetPrefixes.add(prefix);
                budgetBytes.add(bytes);
            }
            return this;
        }

        /** How many budgets are set. */
        public int budgets() {
            return budgetPrefixes.size();
        }

        public Builder limit(long bytes) {
            limit = bytes;
            limitAuto = false;
            return this;
        }

        public Builder limitAuto() {
            limit = 0;
            limitAuto = true;
            return this;
        }

        public Builder headroomPercent(int percent) {
            headroomPercent = percent;
            return this;
        }

        public Builder kindLimit(int kind, long bytes) {
            kindLimits[kind] = bytes;
            return this;
        }

        public Builder policy(int value) {
            policy = value;
            return this;
        }

        public Builder warnPercent(int percent) {
            warnPercent = percent;
            return this;
        }

        public Builder strategy(String name) {
            strategy = name;
            return this;
        }

        public Builder pool(long bytes) {
            pool = bytes;
            return this;
        }

        public Builder poolFallback(String value) {
            poolFallback = value;
            return this;
        }

        public Builder trackMask(int mask) {
            trackMask = mask;
            return this;
        }

        public Builder sites(boolean on) {
            sites = on;
            return this;
        }

        public Builder skipPrefixes(String... prefixes) {
            skipPrefixes = Arrays.copyOf(prefixes, prefixes.length);
            return this;
        }

        public Builder report(String target) {
            report = target;
            return this;
        }

        public Builder jfr(String target) {
            jfr = target;
            return this;
        }

        public Builder log(int level) {
            log = level;
            return this;
        }

        public Settings build() {
            return new Settings(this);
        }
    }
}
