package dev.alloc.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;

/** The fields an allocation and a free share: one block of off-heap memory and its site. */
@Category("Off-Heap Memory")
abstract class BlockEvent extends StackCarryingEvent {
    @Label("Kind")
    @Description("Kind of off-heap memory: direct, unsafe, ffm or malloc")
    String kind;

    @Label("Size")
    @Description("Size of the block in bytes")
    @DataAmount(DataAmount.BYTES)
    long size;

    @Label("Address")
    @Description("Native address of the block")
    @MemoryAddress
    long address;

    @Label("Site")
    @Description("The call site that allocated the block, e.g. com.example.Cache.grow(Cache.java:42)")
    String site;
}
