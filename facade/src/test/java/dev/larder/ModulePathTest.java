package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application module on the module path, as a modular model server would be built: requiring {@code dev.larder}
 * alone, it compiles and runs README's embedding example against Larder's modules, and cannot reach their internals
 * nor the engine beneath the facade ({@code dev.larder.ingest}, exported to Larder's own modules only), neither at
 * compile time nor by reflection.
 *
 * <p>On the module path: {@code dev.larder.store} and {@code dev.larder.ingest} (named modules), {@code dev.larder}
 * and {@code dev.larder.snapshot} (automatic modules: Kernel, Parquet and Hadoop split packages between jars, so they
 * and their dependencies stay on the class path, which automatic modules read), the Disruptor and HdrHistogram.
 */
class ModulePathTest {
    /** Larder's modules and the libraries they require, by the file or build directory the test class path holds. */
    private static final Map<String, String> MODULES = Map.of(
            "larder-store", "dev.larder.store",
            "larder-ingest", "dev.larder.ingest",
            "larder-snapshot", "dev.larder.snapshot",
            "disruptor", "com.lmax.disruptor",
            "HdrHistogram", "HdrHistogram",
            "snakeyaml-engine", "org.snakeyaml.engine");
    private static final Map<String, String> BUILD_DIRECTORIES = Map.of(
            "store", "larder-store", "ingest", "larder-ingest", "snapshot", "larder-snapshot", "facade", "larder");
    /** What the application tries to reach; every one must be refused. */
    private static final List<String> INTERNALS = List.of(
            "dev.larder.store.internal.StoreInternals", "dev.larder.store.internal.TableWriter",
            "dev.larder.store.MappedTableWriter", "dev.larder.store.engine.KeyCodec",
            "dev.larder.store.engine.RowLayoutDescriptor", "dev.larder.store.engine.TableView",
            "dev.larder.ingest.IngestPipeline", "dev.larder.ingest.ChangeRecordDescriptor",
            "dev.larder.ingest.LarderEngine", "dev.larder.ingest.IngestOptions");

    @TempDir
    Path dir;

    @Test
    void anApplicationModuleServesTheReadmeExampleAndCannotReachInternals() throws Exception {
        Path delta = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(1000).numericFeatures(2).float32Features(1).commits(0)
                .rowsPerFile(500).build(), delta);
        List<String> modulePath = new ArrayList<>();
        List<String> classPath = new ArrayList<>();
        split(modulePath, classPath);
        assertEquals(7, modulePath.size(),
                "store, ingest, snapshot, facade, Disruptor, HdrHistogram, snakeyaml-engine: " + modulePath);

        Path app = dir.resolve("src/app");
        Files.createDirectories(app.resolve("app"));
        Files.writeString(app.resolve("module-info.java"), "module app {\n requires dev.larder;\n}\n");
        Files.writeString(app.resolve("app/Main.java"), mainSource(delta));
        Path classes = dir.resolve("classes");
        String compiled = javac(modulePath, classPath, classes, app.resolve("module-info.java"),
                app.resolve("app/Main.java"));
        assertEquals("", compiled, "the application compiles on the module path");

        Path definition = dir.resolve("features.yaml");
        Files.writeString(definition, "store: " + dir.resolve("defined") + "\ntables:\n  users:\n    delta: " + delta
                + "\n    key: entity_id\n    columns: [f_0]\nvectors:\n  ranker:\n    - users.f_0\n");
        String out = run(modulePath, classPath, classes, definition);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("FOUND f_0=") && l.contains(" v0 input=[")
                && l.contains("healthy=true")), out);
        for (String internal : INTERNALS) {
            assertTrue(out.contains("refused " + internal + " "), internal + " is reachable by reflection:\n" + out);
        }
        assertTrue(out.contains("refused writer IllegalAccessException"), out);
        assertTrue(out.contains("definition tables=[users] vectors=[ranker]"),
                "the YAML parser works as a module too:\n" + out);

        Path intruder = dir.resolve("src/intruder");
        Files.createDirectories(intruder.resolve("intruder"));
        Files.writeString(intruder.resolve("module-info.java"),
                "module intruder {\n requires dev.larder;\n requires dev.larder.ingest;\n}\n");
        Files.writeString(intruder.resolve("intruder/Writes.java"), """
                package intruder;

                import dev.larder.ingest.LarderEngine;
                import dev.larder.store.FeatureTable;
                import dev.larder.store.internal.StoreInternals;

                public class Writes {
                    static Object writer(FeatureTable t) {
                        return StoreInternals.writer(t);
                    }

                    static Object codec() {
                        return dev.larder.store.engine.KeyCodec.class;
                    }

                    static Object engine(java.nio.file.Path dir) {
                        return LarderEngine.open(dir, dev.larder.ingest.IngestOptions.DEFAULT);
                    }
                }
                """);
        String refused = javac(modulePath, classPath, dir.resolve("intruder-classes"),
                intruder.resolve("module-info.java"), intruder.resolve("intruder/Writes.java"));
        assertTrue(refused.contains("package dev.larder.store.internal is not visible")
                && refused.contains("package dev.larder.store.internal is declared in module dev.larder.store, "
                + "which does not export it" + " to module intruder"), refused);
        // The engine's layouts and their operations are public types of a package the module does not export.
        assertTrue(refused.contains("package dev.larder.store.engine is declared in module dev.larder.store, "
                + "which does not export it"), refused);
        // Requiring the engine's module does not help: its package is exported to Larder's own modules only.
        assertTrue(refused.contains("package dev.larder.ingest is declared in module dev.larder.ingest, "
                + "which does not export it" + " to module intruder"), refused);
    }

    /** The README example as the application's main, then reflective attempts at the internals. */
    private static String mainSource(Path delta) throws Exception {
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : ReadmeExampleTest.example()) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String example = body.toString().replace(ReadmeExampleTest.STORE, delta.resolveSibling("store").toString())
                .replace(ReadmeExampleTest.TABLE, delta.toString());
        StringBuilder internals = new StringBuilder();
        for (String name : INTERNALS) {
            internals.append("        probe(\"").append(name).append("\");\n");
        }
        return "package app;\n\n" + imports + """
                import java.lang.reflect.Method;

                public class Main {
                    public static void main(String[] args) throws Exception {
                """ + example + internals + """
                        Definition definition = Definition.read(Path.of(args[0]));
                        System.out.println("definition tables=" + definition.tables()
                                + " vectors=" + definition.vectors());
                        Class<?> access = Class.forName("dev.larder.store.internal.StoreInternals");
                        try {
                            access.getMethod("writer", Class.forName("dev.larder.store.FeatureTable"))
                                    .invoke(null, (Object) null);
                            System.out.println("reached writer");
                        } catch (IllegalAccessException e) {
                            System.out.println("refused writer " + e.getClass().getSimpleName());
                        }
                    }

                    /** Loading a class is not access; calling into it is: every declared method must refuse. */
                    static void probe(String name) throws Exception {
                        Class<?> c = Class.forName(name);
                        for (Method m : c.getDeclaredMethods()) {
                            try {
                                m.setAccessible(true);
                                System.out.println("reached " + name + "." + m.getName());
                                return;
                            } catch (RuntimeException e) {
                                if (!e.getClass().getSimpleName().equals("InaccessibleObjectException")) {
                                    throw e;
                                }
                            }
                        }
                        System.out.println("refused " + name + " (" + c.getDeclaredMethods().length + " methods)");
                    }
                }
                """;
    }

    /**
     * Splits the test class path: Larder's modules and their module-aware libraries to the module path, the rest not.
     */
    private void split(List<String> modulePath, List<String> classPath) throws IOException {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String artifact = Files.isDirectory(p) ? directoryArtifact(p) : jarArtifact(p.getFileName().toString());
            if ("larder".equals(artifact)) {
                modulePath.add(jar(p, "dev.larder").toString());
            } else if (artifact != null && MODULES.containsKey(artifact)) {
                boolean exploded = Files.isDirectory(p) && !Files.exists(p.resolve("module-info.class"));
                modulePath.add(exploded ? jar(p, MODULES.get(artifact)).toString() : entry);
            } else {
                classPath.add(entry);
            }
        }
    }

    /** A module's {@code target/classes} (a reactor build before packaging): the artifact of the module directory. */
    private static String directoryArtifact(Path p) {
        if (!p.endsWith(Path.of("target", "classes"))) {
            return null;
        }
        return BUILD_DIRECTORIES.get(p.getParent().getParent().getFileName().toString());
    }

    private static String jarArtifact(String file) {
        for (String artifact : MODULES.keySet()) {
            if (file.matches(artifact + "-[0-9].*\\.jar") && !file.endsWith("-tests.jar")) {
                return artifact;
            }
        }
        return null;
    }

    /** Jars a build directory as its module's jar would be, named by the Automatic-Module-Name its pom gives. */
    private Path jar(Path classes, String moduleName) throws IOException {
        Path jar = dir.resolve("modules").resolve(moduleName + ".jar");
        Files.createDirectories(jar.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Automatic-Module-Name", moduleName);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** Compiles one module; returns javac's diagnostics, empty when it compiled cleanly. */
    private static String javac(List<String> modulePath, List<String> classPath, Path out, Path... sources) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path",
                String.join(File.pathSeparator, modulePath), "-cp", String.join(File.pathSeparator, classPath)));
        for (Path s : sources) {
            args.add(s.toString());
        }
        int rc = javac.run(null, diagnostics, diagnostics, args.toArray(String[]::new));
        String text = diagnostics.toString(StandardCharsets.UTF_8);
        assertEquals(text.isEmpty(), rc == 0, text);
        return text;
    }

    /** Runs the application in a JVM of its own, from the module path; returns what it printed. */
    private String run(List<String> modulePath, List<String> classPath, Path classes, Path definition)
            throws Exception {
        List<String> mp = new ArrayList<>(modulePath);
        mp.add(classes.toString());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("app.out");
        Process p = new ProcessBuilder(java.toString(), "-Xmx512m", "--module-path",
                String.join(File.pathSeparator, mp), "-cp", String.join(File.pathSeparator, classPath),
                // dev.larder is an automatic module, which cannot name what it needs (snakeyaml-engine):
                // resolve it all.
                "--add-modules", "ALL-MODULE-PATH", "-m", "app/app.Main", definition.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the application did not finish");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
