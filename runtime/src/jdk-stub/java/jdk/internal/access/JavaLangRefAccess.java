package jdk.internal.access;

/** Compile-time stand-in for the JDK's interface (see {@link SharedSecrets}); no class file of it is made. */
public interface JavaLangRefAccess {
    boolean waitForReferenceProcessing() throws InterruptedException;
}
