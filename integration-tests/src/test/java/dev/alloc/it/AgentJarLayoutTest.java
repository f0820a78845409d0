package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/** Pins the agent jar's shape: only the project's packages and META-INF, shaded ASM, the manifest. */
class AgentJarLayoutTest {
    @Test
    void onlyTheProjectsPackagesAndMetaInf() throws Exception {
        List<String> strays = new ArrayList<>();
        boolean shadedAsm = false;
        boolean runtime = false;
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements();) {
                String name = entries.nextElement().getName();
                shadedAsm |= name.equals("dev/alloc/agent/shaded/asm/ClassReader.class");
                runtime |= name.equals("dev/alloc/runtime/OffHeap.class");
                if (!name.startsWith("dev/alloc/") && !name.startsWith("META-INF/") && !name.equals("dev/")) {
                    strays.add(name);
                }
            }
        }
        assertEquals(List.of(), strays);
        assertTrue(shadedAsm, "ASM must be shaded under dev/alloc/agent/shaded/asm");
        assertTrue(runtime, "the runtime must be inside the agent jar");
    }

    @Test
    void manifestDeclaresTheAgentAndTheCommandLine() throws Exception {
        try (JarFile jar = new JarFile(ForkedJvm.agentJar().toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.alloc.agent.AllocAgent", main.getValue("Premain-Class"));
            assertEquals("dev.alloc.agent.AllocAgent", main.getValue("Agent-Class"));
            assertEquals("dev.alloc.agent.cli.Main", main.getValue("Main-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("true", main.getValue("Can-Redefine-Classes"));
        }
    }
}
