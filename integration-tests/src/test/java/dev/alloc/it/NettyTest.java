package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.NettyBuffers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Netty 4.2's direct buffers are fully counted (issue 3): what each of its allocators says it
 * took equals what the agent counted, of the kind Netty really used on that JDK: direct buffers
 * on 17, Unsafe without cleaners on 17 when Netty may reflect into the JDK, libc malloc through
 * an FFM downcall on 25 with native access.
 */
class NettyTest {
    private static final String[] ALLOCATORS = {"pooled", "unpooled", "adaptive"};
    /** Netty's own switch to Unsafe buffers without cleaners on JDK 9+. */
    private static final String[] NO_CLEANER = {"-Dio.netty.tryReflectionSetAccessible=true",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED"};
    /** A young generation no short program fills: no GC frees Netty's start-up probe buffer mid-count. */
    private static final String[] NO_GC = {"-Xms512m", "-Xmx512m", "-Xmn384m"};

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Jdk jdk : Jdk.all()) {
            for (String allocator : ALLOCATORS) {
                cases.add(Arguments.of(jdk, allocator, false));
                if (jdk.feature() < 22 && !allocator.equals("adaptive")) {
                    cases.add(Arguments.of(jdk, allocator, true));
                }
            }
        }
        return cases;
    }

    private static ForkedJvm forkFor(Jdk jdk, boolean noCleaner) {
        ForkedJvm fork = ForkedJvm.on(jdk).jvmArgs(NO_GC);
        if (noCleaner) {
            fork.jvmArgs(NO_CLEANER);
        }
        if (jdk.feature() >= 22) {
            fork.jvmArgs("--enable-native-access=ALL-UNNAMED");
        }
        return fork;
    }

    private static String kindNettyUses(Jdk jdk, boolean noCleaner) {
        return jdk.feature() >= 24 ? "malloc" : noCleaner ? "unsafe" : "direct";
    }

    @ParameterizedTest(name = "{0} {1} noCleaner={2}")
    @MethodSource("cases")
    void whatNettyTakesIsWhatTheAgentCounts(Jdk jdk, String allocator, boolean noCleaner) {
        ForkedJvm.Result r = forkFor(jdk, noCleaner).agent("log=quiet").main(NettyBuffers.class, allocator, "hold", "10", "1000003").run();
        assertEquals(0, r.exitCode(), r.toString());
        String[] lines = r.stdout().split("\n");
        long taken = number(lines[0], "netty");
        // Unpooled: exactly the buffers; pools: whole chunks (one may predate the count).
        assertTrue(allocator.equals("unpooled") ? taken == 10 * 1_000_003L : taken >= 4 << 20, r.toString());
        String kind = kindNettyUses(jdk, noCleaner);
        assertEquals(taken, number(lines[0], kind), kind + ": " + r);
        assertEquals(taken, sumOfKinds(lines[0]), r.toString());
        long kept = number(lines[1], "netty"); // pools keep their chunks; unpooled buffers are freed
        assertEquals(kept, number(lines[1], kind), kind + ": " + r);
        assertEquals(kept, sumOfKinds(lines[1]), r.toString());
        if (allocator.equals("unpooled")) {
            assertEquals(0, kept, r.toString());
        }
    }

    @ParameterizedTest(name = "{0} {1} noCleaner={2}")
    @MethodSource("cases")
    void underTheLimitNettyFailsWithOurErrorNamingTheProgramsOwnSite(Jdk jdk, String allocator, boolean noCleaner) {
        ForkedJvm.Result r = forkFor(jdk, noCleaner).agent("limit=32m,site.skip=io.netty.,log=quiet")
                .main(NettyBuffers.class, allocator, "fill", "1048576").run();
        assertEquals(0, r.exitCode(), r.toString());
        String ours = "dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate ";
        String at = " bytes of " + kindNettyUses(jdk, noCleaner)
                + " memory at dev.alloc.it.programs.NettyBuffers.take(NettyBuffers.java:44); ";
        // Netty's libc path (CleanerJava24Linker) wraps every Throwable of malloc in a java.lang.Error.
        String caught = jdk.feature() >= 24 ? "caught java.lang.Error: " + ours : "caught " + ours;
        assertTrue(r.stdout().contains(caught), r.toString());
        assertTrue(r.stdout().contains(at), r.toString());
        if (jdk.feature() >= 24) {
            assertTrue(r.stdout().contains("\ncause " + ours), r.toString());
        }
        assertTrue(r.stdout().contains("top holders: dev.alloc.it.programs.NettyBuffers.take(NettyBuffers.java:44) "),
                r.toString());
    }

    private static long number(String line, String label) {
        String[] words = line.split(" ");
        for (int i = 0; i < words.length - 1; i++) {
            if (words[i].equals(label)) {
                return Long.parseLong(words[i + 1]);
            }
        }
        throw new AssertionError("no '" + label + "' in: " + line);
    }

    private static long sumOfKinds(String line) {
        return number(line, "direct") + number(line, "unsafe") + number(line, "ffm") + number(line, "malloc");
    }
}
