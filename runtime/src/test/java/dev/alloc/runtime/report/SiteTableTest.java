package dev.alloc.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.SiteRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SiteTableTest {
    @Test
    void theLargestHoldersAreTheFirstRowsOfTheFullTable() {
        Random random = new Random(20261201);
        for (int round = 0; round < 200; round++) {
            SiteRegistry sites = new SiteRegistry();
            int count = 1 + random.nextInt(40);
            for (int i = 0; i < count; i++) {
                int kind = random.nextInt(4) == 0 ? Kind.MAPPED : random.nextBoolean() ? Kind.DIRECT : Kind.UNSAFE;
                int site = sites.intern("s" + i, kind);
                long size = 1 + random.nextInt(4) * 1_000_003L; // equal sizes: ties, broken by total bytes
                for (int blocks = random.nextInt(4); blocks > 0; blocks--) {
                    sites.onAllocate(site, size);
                }
                if (random.nextBoolean()) {
                    sites.onAllocate(site, 7);
                    sites.onFree(site, 7, SiteRegistry.FREED_EXPLICITLY); // more total, same live
                }
            }
            for (int which : new int[] {Limiter.TOTAL, Kind.DIRECT, Kind.MAPPED}) {
                for (int n : new int[] {1, 3}) {
                    assertEquals(names(firstLive(SiteTable.underLimit(sites, which), n)),
                            names(SiteTable.largestUnderLimit(sites, which, n)), "round " + round + " which " + which);
                }
            }
        }
    }

    @Test
    void threeOfFiveSitesInOrder() {
        SiteRegistry sites = new SiteRegistry();
        long[] live = {2_000_003, 0, 5_000_011, 2_000_003, 999_983};
        for (int i = 0; i < live.length; i++) {
            int site = sites.intern("site" + i, Kind.DIRECT);
            if (live[i] > 0) {
                sites.onAllocate(site, live[i]);
            }
        }
        sites.onAllocate(sites.intern("site3", Kind.DIRECT), 11);
        sites.onFree(sites.intern("site3", Kind.DIRECT), 11, SiteRegistry.FREED_EXPLICITLY);
        assertEquals("[site2 5000011, site3 2000003, site0 2000003]",
                names(SiteTable.largestUnderLimit(sites, Limiter.TOTAL, 3)).toString());
    }

    private static List<SiteTable.Row> firstLive(List<SiteTable.Row> rows, int n) {
        List<SiteTable.Row> kept = new ArrayList<>();
        for (SiteTable.Row row : rows) {
            if (row.liveBytes > 0 && kept.size() < n) {
                kept.add(row);
            }
        }
        return kept;
    }

    private static List<String> names(List<SiteTable.Row> rows) {
        List<String> names = new ArrayList<>();
        for (SiteTable.Row row : rows) {
            names.add(row.site + " " + row.liveBytes);
        }
        return names;
    }
}
