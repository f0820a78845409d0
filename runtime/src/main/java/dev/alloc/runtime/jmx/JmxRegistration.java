package dev.alloc.runtime.jmx;

import dev.alloc.runtime.Log;
import dev.alloc.runtime.SiteContext;
import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.ObjectName;

/**
 * Registers the {@link OffHeapMXBean} with the platform MBean server on a daemon thread.
 *
 * <p>Not at {@code premain} on the main thread: creating the platform MBean server costs tens of
 * milliseconds and initialises JMX before the application had a chance to configure it. The
 * thread starts at once, so the bean is there within moments of start; a client that connects
 * earlier retries (the {@code status} command does).
 */
public final class JmxRegistration {
    private JmxRegistration() {
    }

    /** Starts registering {@code bean} unless this JDK lacks the {@code java.management} module. */
    public static void registerInBackground(OffHeapMXBean bean) {
        if (!ModuleLayer.boot().findModule("java.management").isPresent()) {
            Log.debug("no java.management module in this runtime; the MXBean is not registered");
            return;
        }
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                register(bean);
            }
        }, "alloc-jmx-registration");
        thread.setDaemon(true);
        thread.start();
    }

    static void register(OffHeapMXBean bean) {
        SiteContext.current().enterAgent(); // this thread's own native memory is not the application's
        long start = System.nanoTime();
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, new ObjectName(OffHeapMXBean.OBJECT_NAME));
            Log.debug("registered the MXBean " + OffHeapMXBean.OBJECT_NAME + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (InstanceAlreadyExistsException e) {
            Log.debug("the MXBean " + OffHeapMXBean.OBJECT_NAME + " is already registered");
        } catch (Throwable e) {
            Log.warn("cannot register the MXBean " + OffHeapMXBean.OBJECT_NAME + ": " + e);
        }
    }
}
