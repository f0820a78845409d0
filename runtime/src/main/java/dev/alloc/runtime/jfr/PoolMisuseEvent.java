package dev.alloc.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.alloc.PoolMisuse")
@Label("Pool Misuse")
@Description("A bad free the pool strategy caught and ignored: a double free, or a free inside a live block")
@Category("Off-Heap Memory")
@StackTrace(true)
public final class PoolMisuseEvent extends StackCarryingEvent {
    @Label("Misuse")
    @Description("double free (also a free of pool memory never allocated), or interior free (not a block's start)")
    String misuse;

    @Label("Address")
    @Description("The address that was freed")
    long address;

    @Label("Strategy")
    @Description("The pool strategy that caught it")
    String strategy;

    @Label("Site")
    @Description("The rewritten call site that freed, if the free came through one; else see the stack trace")
    String site;
}
