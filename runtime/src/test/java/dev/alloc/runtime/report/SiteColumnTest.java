package dev.alloc.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SiteColumnTest {
    private static final SiteColumn[] STATUS = {SiteColumn.LIVE_BYTES, SiteColumn.LIVE, SiteColumn.LIVE_COUNT,
        SiteColumn.PEAK_LIVE, SiteColumn.KIND, SiteColumn.SITE};

    @Test
    void headerAndRowsLineUpWithOneNamePerColumn() {
        assertEquals("    live bytes        live  live count   peak live  kind    site", SiteColumn.header(STATUS));
        assertEquals("     1,999,993     1.9 MiB           1     1.9 MiB  direct  com.example.Cache.grow(Cache.java:42)",
                SiteColumn.row(STATUS, 1_999_993L, 1_999_993L, 1, 1_999_993L, "direct", "com.example.Cache.grow(Cache.java:42)"));
        assertEquals("            17        17 B           1        17 B  ffm     a", SiteColumn.row(STATUS, 17, 17, 1L, 17, "ffm", "a"));
    }

    @Test
    void eachFormatPrintsItsUnit() {
        assertEquals("1,048,583", SiteColumn.TOTAL_BYTES.text(1_048_583));
        assertEquals("1.0 MiB", SiteColumn.FREED_BY_GC.text(1_048_583));
        assertEquals("999 ms", SiteColumn.OLDEST_LIVE.text(999_999_999));
        assertEquals("1.2 s", SiteColumn.OLDEST_LIVE.text(1_240_000_000));
        assertEquals("12,345", SiteColumn.LIMIT_ERRORS.text(12_345));
    }

    @Test
    void aValueForEveryColumn() {
        assertThrows(IllegalArgumentException.class, () -> SiteColumn.row(STATUS, 1L));
    }
}
