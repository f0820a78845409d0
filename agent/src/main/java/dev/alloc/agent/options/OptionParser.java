package dev.alloc.agent.options;

import dev.alloc.runtime.Budgets;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Settings;
import dev.alloc.runtime.report.Log;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns the agent argument ({@code key=value,key=value}) and {@code -Dalloc.<key>} system
 * properties into validated {@link Settings}. The agent argument wins over a property. Every
 * key of DESIGN.md's option table is known here; nothing is silently accepted.
 */
public final class OptionParser {
    private static final String PROPERTY_PREFIX = "alloc.";
    /** {@code alloc.*} properties that are not options (internal test hooks). */
    private static final Set<String> NOT_OPTIONS = Set.of("alloc.cgroup.root");
    /**
     * What separates the items of a list value: {@code +}, which a shell passes through unquoted
     * ({@code track=direct+unsafe}); {@code ;} too, for values written before (it must be quoted
     * in a shell, which would otherwise end the command there).
     */
    public static final String LIST_SEPARATORS = "[+;]";
    /** The smallest pool region: one page. */
    private static final long MIN_POOL = 4096;
    /** A size under this with no unit was surely meant with one ({@code limit=512}): it gets a warning. */
    private static final long UNITLESS_WARNING_BELOW = 4096;

    /**
     * Every option key, in the order of DESIGN.md's table. A switch applies them rather than a
     * map of lambdas: each lambda costs a generated class at every start (see docs/PERFORMANCE.md).
     */
    private static final List<String> KEYS = keyList();

    private static List<String> keyList() {
        List<String> keys = new ArrayList<>();
        keys.add("limit");
        keys.add("headroom");
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            keys.add("limit." + Kind.name(kind));
        }
        for (String key : new String[] {"policy", "warn", "strategy", "pool", "pool.fallback", "track", "sites",
                "site.skip", "report", "jfr", "log"}) {
            keys.add(key);
        }
        return keys;
    }

    /** {@code budget.<package prefix>=<size>}: one key per prefix, so no list and nothing to quote. */
    private static final String BUDGET = "budget.";

    /** Applies one validated value to the settings being built. */
    private static void apply(String key, String value, Settings.Builder s) throws OptionError {
        if (isBudget(key)) {
            if (s.budgets() == Budgets.MAX) {
                throw new OptionError("too many budgets (" + key + ")", "at most " + Budgets.MAX + " budget.<prefix> options");
            }
            s.budget(key.substring(BUDGET.length()), positiveSize(key, value));
            return;
        }
        if (key.startsWith("limit.")) {
            s.kindLimit(Kind.byName(key.substring("limit.".length())), positiveSize(key, value));
            return;
        }
        switch (key) {
            case "limit":
                if (value.equalsIgnoreCase("auto")) {
                    s.limitAuto();
                } else {
                    s.limit(positiveSize(key, value));
                }
                break;
            case "headroom":
                s.headroomPercent(headroom(key, value));
                break;
            case "policy": {
                String v = oneOf(key, value, "throw", "warn", "exit");
                s.policy(v.equals("throw") ? Settings.POLICY_THROW : v.equals("warn") ? Settings.POLICY_WARN : Settings.POLICY_EXIT);
                break;
            }
            case "warn":
                s.warnPercent(percent(key, value));
                break;
            case "strategy":
                s.strategy(oneOf(key, value, "system", "slab", "buddy", "tlsf", "arena"));
                break;
            case "pool": {
                long bytes = positiveSize(key, value);
                if (bytes < MIN_POOL) {
                    throw new OptionError("pool=" + printable(value) + " is too small (at least 4k)", SizeParser.VALID);
                }
                s.pool(bytes);
                break;
            }
            case "pool.fallback":
                s.poolFallback(oneOf(key, value, "system", "fail"));
                break;
            case "track":
                s.trackMask(kinds(key, value));
                break;
            case "sites":
                s.sites(oneOf(key, value, "on", "off").equals("on"));
                break;
            case "site.skip":
                s.skipPrefixes(list(key, value, "package prefixes separated by '+' (e.g. io.netty.+com.example.pool.)"));
                break;
            case "report":
                s.report(reportTarget(key, value));
                break;
            case "jfr":
                s.jfr(recordingTarget(key, value));
                break;
            case "log": {
                String v = oneOf(key, value, "quiet", "info", "debug");
                s.log(v.equals("quiet") ? Log.QUIET : v.equals("info") ? Log.INFO : Log.DEBUG);
                break;
            }
            default:
                throw new OptionError("unknown option '" + printable(key) + "'", keys());
        }
    }

    private OptionParser() {
    }

    /** Every option key, in the order of DESIGN.md's table. */
    public static String keys() {
        return String.join(", ", KEYS) + ", " + BUDGET + "<package prefix>";
    }

    /** {@code budget.} and a dotted Java package (or class) name such as {@code io.netty}. */
    private static boolean isBudget(String key) {
        if (!key.startsWith(BUDGET)) {
            return false;
        }
        String name = key.substring(BUDGET.length());
        if (name.isEmpty() || name.startsWith(".") || name.contains("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '.' && !Character.isJavaIdentifierPart(c)) {
                return false;
            }
        }
        return true;
    }

    public static Settings parse(String agentArgs, Properties properties) throws OptionError {
        return parse(agentArgs, properties, warning -> { });
    }

    /**
     * As {@link #parse(String, Properties)}, and hands each option that is valid but surely not
     * what was meant to {@code warnings}, as one line without the {@code alloc: } prefix: a size
     * under 4 KiB with no unit ({@code limit=512}), {@code headroom} without {@code limit=auto},
     * {@code pool}/{@code pool.fallback} without a pool strategy.
     */
    public static Settings parse(String agentArgs, Properties properties, Consumer<String> warnings) throws OptionError {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(PROPERTY_PREFIX) && !NOT_OPTIONS.contains(name)) {
                String key = name.substring(PROPERTY_PREFIX.length());
                requireKnown(key, "-D" + name);
                values.put(key, properties.getProperty(name));
            }
        }
        Map<String, String> fromArgs = new LinkedHashMap<>();
        for (String item : splitArgs(agentArgs)) {
            int eq = item.indexOf('=');
            String key = (eq < 0 ? item : item.substring(0, eq)).trim();
            requireKnown(key, key);
            if (eq < 0) {
                throw new OptionError("option '" + key + "' has no value (write " + key + "=<value>)", keys());
            }
            if (fromArgs.put(key, item.substring(eq + 1).trim()) != null) {
                throw new OptionError("option '" + key + "' is given twice", "each option at most once");
            }
        }
        values.putAll(fromArgs);
        Settings.Builder settings = Settings.builder();
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String value = entry.getValue();
            if (value.isEmpty()) {
                throw new OptionError("option '" + entry.getKey() + "' has an empty value", "see the README's option table");
            }
            apply(entry.getKey(), value, settings);
        }
        Settings built = settings.build();
        if (!built.strategy.equals("system") && built.pool == 0 && built.limit == 0 && !built.limitAuto) {
            throw new OptionError("strategy=" + built.strategy + " needs the size of its region: give pool=<size> or limit=<size>",
                    "e.g. strategy=" + built.strategy + ",pool=256m");
        }
        warnAboutSurprises(values, built, warnings);
        return built;
    }

    private static void warnAboutSurprises(Map<String, String> values, Settings built, Consumer<String> warnings) {
        for (Map.Entry<String, String> entry : values.entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            boolean size = key.equals("limit") || key.startsWith("limit.") || key.equals("pool");
            if (size && allDigits(value) && Long.parseLong(value) < UNITLESS_WARNING_BELOW) {
                warnings.accept("warning: " + key + "=" + value + " is " + value + " bytes; add a unit if you meant more ("
                        + key + "=" + value + "m is " + value + " MiB)");
            }
        }
        if (values.containsKey("headroom") && !built.limitAuto) {
            warnings.accept("warning: headroom=" + printable(values.get("headroom")) + " does nothing without limit=auto");
        }
        if (built.strategy.equals("system")) {
            for (String key : new String[] {"pool", "pool.fallback"}) {
                if (values.containsKey(key)) {
                    warnings.accept("warning: " + key + "=" + printable(values.get(key))
                            + " does nothing with strategy=system; give a pool strategy: strategy=slab|buddy|tlsf|arena");
                }
            }
        }
    }

    private static List<String> splitArgs(String agentArgs) {
        List<String> items = new ArrayList<>();
        if (agentArgs == null) {
            return items;
        }
        for (String item : agentArgs.split(",")) {
            if (!item.trim().isEmpty()) {
                items.add(item.trim());
            }
        }
        return items;
    }

    private static void requireKnown(String key, String shown) throws OptionError {
        if (!KEYS.contains(key) && !isBudget(key)) {
            throw new OptionError("unknown option '" + printable(shown) + "'", keys());
        }
    }

    private static long positiveSize(String key, String value) throws OptionError {
        long bytes = SizeParser.parse(value);
        if (bytes <= 0) {
            throw new OptionError("bad size '" + printable(value) + "' for " + key
                    + (bytes == 0 ? " (must be more than 0)" : ""), SizeParser.VALID);
        }
        return bytes;
    }

    private static int percent(String key, String value) throws OptionError {
        return percentIn(key, value, 1, 100, "90 or 90%");
    }

    /** {@code headroom=25%}: a share of what the container leaves beyond the heap, 0 to 99 percent. */
    private static int headroom(String key, String value) throws OptionError {
        return percentIn(key, value, 0, 99, "25%");
    }

    private static int percentIn(String key, String value, int min, int max, String example) throws OptionError {
        String digits = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
        try {
            int percent = Integer.parseInt(digits.trim());
            if (percent >= min && percent <= max) {
                return percent;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new OptionError("bad percentage '" + printable(value) + "' for " + key,
                "a whole number from " + min + " to " + max + ", e.g. " + example);
    }

    private static String oneOf(String key, String value, String... allowed) throws OptionError {
        String v = value.toLowerCase(Locale.ROOT);
        for (String candidate : allowed) {
            if (candidate.equals(v)) {
                return candidate;
            }
        }
        throw new OptionError("bad value '" + printable(value) + "' for " + key, String.join(", ", allowed));
    }

    private static String[] list(String key, String value, String valid) throws OptionError {
        List<String> items = new ArrayList<>();
        for (String item : value.split(LIST_SEPARATORS)) {
            String trimmed = item.trim();
            if (!trimmed.isEmpty()) {
                items.add(trimmed);
            }
        }
        if (items.isEmpty()) {
            throw new OptionError("bad value '" + printable(value) + "' for " + key, valid);
        }
        return items.toArray(new String[0]);
    }

    private static int kinds(String key, String value) throws OptionError {
        String valid = "kinds separated by '+' from " + Kind.names(", ");
        int mask = 0;
        for (String name : list(key, value, valid)) {
            int kind = Kind.byName(name.toLowerCase(Locale.ROOT));
            if (kind < 0) {
                throw new OptionError("unknown kind '" + printable(name) + "' in " + key, valid);
            }
            mask |= 1 << kind;
        }
        return mask;
    }

    private static String reportTarget(String key, String value) throws OptionError {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.equals("off")) {
            return null;
        }
        if (v.equals("stderr")) {
            return "stderr";
        }
        File parent = new File(value).getAbsoluteFile().getParentFile();
        if (parent == null || !parent.isDirectory()) {
            throw new OptionError("cannot write the report to '" + printable(value) + "' (no such directory)",
                    "stderr, off, or a file path in an existing directory");
        }
        return value;
    }

    /** {@code on}, {@code off} (null) or a recording file in an existing directory. */
    private static String recordingTarget(String key, String value) throws OptionError {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.equals("off")) {
            return null;
        }
        if (v.equals("on")) {
            return "on";
        }
        File parent = new File(value).getAbsoluteFile().getParentFile();
        if (parent == null || !parent.isDirectory()) {
            throw new OptionError("cannot write the recording to '" + printable(value) + "' (no such directory)",
                    "on, off, or a .jfr file path in an existing directory");
        }
        return value;
    }

    /** No stream or method reference: this runs at every start. */
    private static boolean allDigits(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!Character.isDigit(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Shows control characters in user input as {@code ?}, so the error stays one line. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length() && i < 200; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return out.toString();
    }
}
