package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What an embedder can name through the facade: every type in a public signature of a public type of
 * {@code dev.larder} is the facade's own or the JDK's, but for the engine hooks Larder's own modules use (listed, so
 * a new leak fails here and a removed one shrinks the list).
 */
class FacadeSurfaceTest {
    /** Engine types still in the facade's signatures: the binder's and tools' hooks. */
    private static final Set<String> ENGINE_HOOKS = Set.of(
            "Larder.over: dev.larder.ingest.LarderEngine",
            "Larder.ingestMetrics: dev.larder.ingest.IngestMetrics",
            "Larder.addTableListener: dev.larder.ingest.TableListener",
            "Larder.removeTableListener: dev.larder.ingest.TableListener",
            "Definition.openTable: dev.larder.snapshot.DeltaSource");
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)*\\.[A-Z][\\w$]*");

    @Test
    void publicSignaturesNameOnlyFacadeAndJdkTypesButTheEngineHooks() throws Exception {
        Set<String> leaks = new TreeSet<>();
        for (Class<?> c : facadeTypes()) {
            List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
            members.addAll(List.of(c.getDeclaredConstructors()));
            for (Executable m : members) {
                if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
                    continue;
                }
                List<Type> types = new ArrayList<>(List.of(m.getGenericParameterTypes()));
                types.addAll(List.of(m.getGenericExceptionTypes()));
                if (m instanceof Method method) {
                    types.add(method.getGenericReturnType());
                }
                String name = c.getSimpleName() + "." + (m instanceof Constructor<?> ? "new" : m.getName());
                for (Type t : types) {
                    foreign(t.getTypeName(), name, leaks);
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isPublic(f.getModifiers())) {
                    foreign(f.getGenericType().getTypeName(), c.getSimpleName() + "." + f.getName(), leaks);
                }
            }
        }
        assertEquals(new TreeSet<>(ENGINE_HOOKS), leaks, "engine types in the facade's public signatures");
    }

    /** The served-feature log's API is among the types checked above, nested ones included. */
    @Test
    void theServedFeatureLogsTypesAreChecked() throws Exception {
        List<Class<?>> types = facadeTypes();
        for (Class<?> c : List.of(ServeLog.class, ServeLogStats.class, Vector.class, Vector.Filler.class)) {
            assertTrue(types.contains(c), c + " is not checked");
        }
        assertEquals(ServeLogStats.class, Vector.class.getMethod("logStats").getReturnType());
        assertEquals(Larder.Builder.class,
                Larder.Builder.class.getMethod("log", String.class, ServeLog.class).getReturnType());
    }

    private static void foreign(String typeName, String member, Set<String> leaks) {
        Matcher m = TYPE.matcher(typeName);
        while (m.find()) {
            String t = m.group();
            boolean facade = t.startsWith("dev.larder.") && t.indexOf('.', "dev.larder.".length()) < 0;
            if (!facade && !t.startsWith("java.")) {
                leaks.add(member + ": " + t);
            }
        }
    }

    /** The public types of the facade's sources (and their public nested types). */
    private static List<Class<?>> facadeTypes() throws Exception {
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/larder"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String name = f.getFileName().toString().replace(".java", "");
                add(Class.forName("dev.larder." + name), types);
            }
        }
        return types;
    }

    private static void add(Class<?> c, List<Class<?>> types) {
        if (!Modifier.isPublic(c.getModifiers())) {
            return;
        }
        types.add(c);
        for (Class<?> nested : c.getDeclaredClasses()) {
            add(nested, types);
        }
    }
}
