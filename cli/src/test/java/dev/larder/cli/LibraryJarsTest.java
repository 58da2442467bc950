package dev.larder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The library jars, the modules the BOM lists (what an embedder puts on a model server's class path), carry no tool:
 * no class of the tools module, of the benchmarks or of the generator's old package in snapshot. Each library is
 * opened where this test's class path has it: its jar once the build has packaged it, else its classes directory
 * (what the jar is made of).
 */
class LibraryJarsTest {
    /** Where tools and benchmarks live; a library entry under one of them is a tool that came back. */
    private static final List<String> TOOL_PACKAGES =
            List.of("dev/larder/tools/", "dev/larder/jmh/", "dev/larder/snapshot/generate/");
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern ARTIFACT_ID = Pattern.compile("</parent>.*?<artifactId>([^<]+)</artifactId>",
            Pattern.DOTALL);

    @Test
    void noLibraryJarCarriesAToolOrABenchmark() throws Exception {
        Bom bom = Bom.read();
        assertTrue(bom.libraries().containsAll(List.of("larder-store", "larder-ingest", "larder-snapshot", "larder")),
                "the BOM lists the library modules: " + bom.libraries());
        Map<String, Path> found = classPathEntries(bom.version());
        for (String library : bom.libraries()) {
            Path at = found.get(library);
            assertNotNull(at, library + " (listed in the BOM) is not on this test's class path: " + found);
            List<String> entries = entries(at);
            assertTrue(entries.stream().anyMatch(e -> e.startsWith("dev/larder/") && e.endsWith(".class")),
                    library + " holds no Larder class: " + at);
            assertEquals(List.of(), tools(entries), library + " (" + at + ") carries tool or benchmark classes");
            assertEquals(List.of(), mains(entries), library + " (" + at + ") carries a program (a class with a main)");
        }
    }

    /** A class with a {@code main} in a library is a tool or a harness, whatever its package: those classes. */
    private static List<String> mains(List<String> entries) throws ClassNotFoundException {
        List<String> mains = new ArrayList<>();
        for (String e : entries) {
            if (!e.startsWith("dev/larder/") || !e.endsWith(".class") || e.endsWith("module-info.class")) {
                continue;
            }
            Class<?> c = Class.forName(e.substring(0, e.length() - 6).replace('/', '.'), false,
                    LibraryJarsTest.class.getClassLoader());
            for (java.lang.reflect.Method m : c.getDeclaredMethods()) {
                if (m.getName().equals("main") && java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                    mains.add(c.getName());
                }
            }
        }
        return mains;
    }

    /** The check recognises a program when it sees one: the command line's entry point has a main. */
    @Test
    void aClassWithAMainIsWhatTheCheckRefuses() throws Exception {
        assertEquals(List.of(LarderCli.class.getName()), mains(List.of("dev/larder/cli/LarderCli.class")));
    }

    /** The check recognises a tool when it sees one: every class of the tools module is flagged. */
    @Test
    void theToolsArtifactIsWhatTheCheckRefuses() throws Exception {
        Path tools = classPathEntries(Bom.read().version()).get("larder-tools");
        assertNotNull(tools, "larder-tools is on the command line's class path");
        List<String> classes = entries(tools).stream().filter(e -> e.endsWith(".class")).toList();
        assertTrue(classes.contains("dev/larder/tools/generate/DeltaTableGenerator.class"), classes.toString());
        assertEquals(classes, tools(classes));
    }

    /** The BOM's version and the artifact ids it manages: the library modules. */
    private record Bom(String version, Set<String> libraries) {
        static Bom read() throws Exception {
            Document bom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(REPOSITORY.resolve("bom").resolve("pom.xml").toFile());
            Set<String> libraries = new TreeSet<>();
            NodeList managed = bom.getElementsByTagName("dependency");
            for (int i = 0; i < managed.getLength(); i++) {
                libraries.add(child((Element) managed.item(i), "artifactId"));
            }
            return new Bom(child(bom.getDocumentElement(), "version"), libraries);
        }
    }

    private static List<String> tools(List<String> entries) {
        return entries.stream().filter(e -> TOOL_PACKAGES.stream().anyMatch(e::startsWith)).toList();
    }

    /**
     * Larder's artifacts on the class path by artifact id: a jar named {@code <artifactId>-<version>.jar} (test jars,
     * {@code -tests.jar}, are not that), or a module's {@code target/classes} named by the module's pom.
     */
    private static Map<String, Path> classPathEntries(String version) throws IOException {
        Map<String, Path> out = new TreeMap<>();
        String suffix = "-" + version + ".jar";
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            String name = p.getFileName().toString();
            if (name.startsWith("larder") && name.endsWith(suffix)) {
                out.put(name.substring(0, name.length() - suffix.length()), p);
            } else if (Files.isDirectory(p) && name.equals("classes") && p.getParent().getFileName().toString()
                    .equals("target") && p.startsWith(REPOSITORY)) {
                Matcher m = ARTIFACT_ID.matcher(Files.readString(p.getParent().resolveSibling("pom.xml")));
                if (m.find()) {
                    out.put(m.group(1), p);
                }
            }
        }
        return out;
    }

    /** The names of a jar's entries, or of a classes directory's files as the jar would name them. */
    private static List<String> entries(Path at) throws IOException {
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(at)) {
            try (Stream<Path> files = Files.walk(at)) {
                files.filter(Files::isRegularFile).forEach(f -> out.add(at.relativize(f).toString()
                        .replace(File.separatorChar, '/')));
            }
        } else {
            try (JarFile jar = new JarFile(at.toFile())) {
                out.addAll(Collections.list(jar.entries()).stream().map(e -> e.getName()).toList());
            }
        }
        out.sort(null);
        return out;
    }

    private static String child(Element parent, String tag) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element e && e.getTagName().equals(tag)) {
                return e.getTextContent().trim();
            }
        }
        throw new AssertionError("no <" + tag + "> in <" + parent.getTagName() + ">");
    }
}
