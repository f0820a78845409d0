package dev.alloc.agent.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StackTreeTest {
    @Test
    void bytesAddUpAlongEveryStackAndAFreeTakesThemOff() {
        StackTree root = new StackTree("all");
        root.add(List.of("main", "load", "allocateDirect"), 1_999_993);
        root.add(List.of("main", "load", "allocateDirect"), 1_999_993);
        root.add(List.of("main", "open"), 1_048_583);
        root.add(List.of("main", "load", "allocateDirect"), -1_999_993);
        assertEquals(3_048_576, root.bytes());
        StackTree main = root.children().get(0);
        assertEquals(3_048_576, main.bytes());
        assertEquals(List.of("load", "open"), main.children().stream().map(StackTree::frame).toList());
        assertEquals(1_048_583, main.children().get(1).self());
        assertEquals(0, main.children().get(0).self());
        assertEquals(3, root.depth());
    }

    @Test
    void framesThatHoldNothingAreNotChildren() {
        StackTree root = new StackTree("all");
        root.add(List.of("main", "gone"), 17);
        root.add(List.of("main", "gone"), -17);
        assertTrue(root.children().isEmpty());
        assertEquals(0, root.depth());
    }

    @Test
    void timeTicksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(5.0, SvgChart.timeStep(12.3), 1e-12);
        assertEquals(1.0, SvgChart.timeStep(4.845), 1e-12);
        assertEquals(0.2, SvgChart.timeStep(1.1), 1e-12);
        assertEquals(100.0, SvgChart.timeStep(600), 1e-12);
    }
}
