package dev.alloc.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Sizes#human} prints exactly what {@code String.format("%.1f %s")} printed, without Formatter. */
class SizesHumanTest {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    @Test
    void matchesFormatterOnEdgesAndRandomSizes() {
        long[] edges = {0, 1, 1023, 1024, 1025, 1075, 1076, 1126, 1127, 6_050_000, 6_000_034, 5_000_000,
                (1L << 20) - 1, 1L << 20, (1L << 20) + 52_428, (1L << 20) + 52_429, 67_108_864, 1L << 30,
                (1L << 40) * 3 / 2, (1L << 50) + 1, Long.MAX_VALUE, -1, -1024, -1_536, -6_050_000};
        for (long bytes : edges) {
            assertEquals(formatted(bytes), Sizes.human(bytes), "bytes " + bytes);
        }
        SplittableRandom random = new SplittableRandom(1_999_993);
        for (int i = 0; i < 20_000; i++) {
            long bytes = random.nextLong(1L << (10 + random.nextInt(43)));
            assertEquals(formatted(bytes), Sizes.human(bytes), "bytes " + bytes);
        }
    }

    @Test
    void tiesRoundHalfUp() {
        assertEquals("1.3 KiB", Sizes.human(1280)); // 1.25 KiB
        assertEquals("-1.3 KiB", Sizes.human(-1280));
        assertEquals("5.8 MiB", Sizes.human(6_050_000));
    }

    /** What the former implementation printed: {@code "%.1f %s"} of the value in the largest unit it reaches. */
    private static String formatted(long bytes) {
        long magnitude = Math.abs(bytes);
        if (magnitude < 1024) {
            return bytes + " B";
        }
        int unit = Math.min(UNITS.length - 1, (63 - Long.numberOfLeadingZeros(magnitude)) / 10);
        return String.format(Locale.ROOT, "%.1f %s", bytes / Math.pow(1024, unit), UNITS[unit]);
    }
}
