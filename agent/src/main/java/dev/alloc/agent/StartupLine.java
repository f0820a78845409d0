package dev.alloc.agent;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Settings;
import dev.alloc.runtime.report.Sizes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The one line the agent prints at start ({@code log=info}): limit, policy, strategy, kinds. */
final class StartupLine {
    private StartupLine() {
    }

    static String describe(Settings settings, int requestedKinds, int availableKinds) {
        return describe(settings, requestedKinds, availableKinds, null);
    }

    /** @param limitDerivation how {@code limit=auto} was derived, or null */
    static String describe(Settings settings, int requestedKinds, int availableKinds, String limitDerivation) {
        StringBuilder line = new StringBuilder("started: limit ");
        if (limitDerivation != null) {
            line.append(settings.limit > 0 ? Sizes.human(settings.limit) : "none").append(" (").append(limitDerivation).append(')');
        } else {
            line.append(settings.limit > 0 ? Sizes.human(settings.limit) : "none (tracking only)");
        }
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            if (settings.kindLimit(kind) > 0) {
                line.append(", limit.").append(Kind.name(kind)).append(' ').append(Sizes.human(settings.kindLimit(kind)));
            }
        }
        String[] budgets = settings.budgetPrefixes();
        for (int i = 0; i < budgets.length; i++) {
            line.append(", budget.").append(budgets[i]).append(' ').append(Sizes.human(settings.budgetBytes(i)));
        }
        if (settings.limit > 0 || hasKindLimit(settings) || budgets.length > 0) {
            line.append(", policy ").append(policyName(settings.policy));
        }
        line.append(", strategy ").append(settings.strategy);
        List<String> tracked = new ArrayList<>();
        // Kinds requested but not tracked, grouped by reason: "ffm, malloc unavailable on JDK 17".
        Map<String, List<String>> notTracked = new LinkedHashMap<>();
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            if (settings.tracks(kind)) {
                tracked.add(Kind.name(kind));
            } else if ((requestedKinds & (1 << kind)) != 0) {
                String why = (availableKinds & (1 << kind)) == 0 ? KindSupport.whyUnavailable(kind) : "not instrumentable";
                List<String> kinds = notTracked.get(why); // no lambda on the start-up path
                if (kinds == null) {
                    kinds = new ArrayList<>();
                    notTracked.put(why, kinds);
                }
                kinds.add(Kind.name(kind));
            }
        }
        line.append(", tracking ").append(tracked.isEmpty() ? "nothing" : String.join(", ", tracked));
        if (!notTracked.isEmpty()) {
            List<String> reasons = new ArrayList<>();
            for (Map.Entry<String, List<String>> reason : notTracked.entrySet()) {
                reasons.add(String.join(", ", reason.getValue()) + " " + reason.getKey());
            }
            line.append(" (").append(String.join("; ", reasons)).append(')');
        }
        line.append(settings.sites ? ", sites on" : ", sites off");
        return line.toString();
    }

    private static boolean hasKindLimit(Settings settings) {
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            if (settings.kindLimit(kind) > 0) {
                return true;
            }
        }
        return false;
    }

    private static String policyName(int policy) {
        return policy == Settings.POLICY_THROW ? "throw" : policy == Settings.POLICY_WARN ? "warn" : "exit";
    }
}
