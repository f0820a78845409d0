package dev.alloc.bench.startup;

/** The hello-world whose start-up time is measured with and without the agent. */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        System.out.println("Hello, world");
    }
}
