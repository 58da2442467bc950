package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs every jcstress test of this module in jcstress's quick mode, in a child JVM (jcstress forks one more JVM per
 * test and configuration), and fails when any test observed a FORBIDDEN outcome, failed, errored or did not run.
 *
 * <p>jcstress's quick mode alone forks each test 14 times (every interpreter/C1/C2 mix of the two actors, with and
 * without C2's stress options), each fork a few seconds long. To fit the CI budget this runs two JVM
 * configurations, one per test method, each compiling both actors alike: C1, and C2 with the stress options
 * (randomized code motion and value numbering). {@code java -jar jcstress/target/jcstress.jar -m default} runs the
 * full matrix. Each run prints its results with the count of every outcome, and leaves its log and HTML report under
 * {@code target/jcstress/}.
 */
class JcstressQuickTest {
    /** A line of META-INF/TestList starts with the test's class name, written as its length, 'S' and the name. */
    private static final Pattern TEST_LIST_ENTRY = Pattern.compile("^JCTEST(\\d+)S");
    private static final Path OUT = Path.of("target", "jcstress");

    @Test
    void noForbiddenOutcomeUnderC1() throws Exception {
        run("c1", "-XX:TieredStopAtLevel=1");
    }

    @Test
    void noForbiddenOutcomeUnderStressedC2() throws Exception {
        run("c2-stress", "-XX:-TieredCompilation -XX:+UnlockDiagnosticVMOptions -XX:+StressLCM -XX:+StressGCM"
                + " -XX:+StressIGVN -XX:+StressCCP");
    }

    private static void run(String name, String jvmArgs) throws Exception {
        TreeSet<String> tests = listedTests();
        assertTrue(tests.size() >= 5, "jcstress tests listed in META-INF/TestList: " + tests);
        Path dir = Files.createDirectories(OUT.resolve(name)).toAbsolutePath();
        Path log = dir.resolve("jcstress.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // jcstress binds actors to CPUs through JNA; the forked JVMs inherit this flag.
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                "org.openjdk.jcstress.Main",
                "-m", "quick", "-sc", "false", "-hs", "64", "-jvmArgs", jvmArgs,
                "-t", "^dev\\.larder\\.store\\..*Stress$", "-r", dir.resolve("report").toString(), "-v"));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(270, TimeUnit.SECONDS);
        if (!ended) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        String out = Files.readString(log);
        int results = out.indexOf("RUN RESULTS:");
        String summary = results >= 0 ? out.substring(results) : out;
        System.out.println("jcstress quick mode, " + jvmArgs + " (log: " + log + ")");
        System.out.println(summary.replaceAll("(?m)^\\s*$\\R", ""));
        assertTrue(ended, "jcstress did not finish within 270 s; see " + log);
        assertEquals(0, p.exitValue(), "jcstress reported failures (FORBIDDEN outcomes or errors):\n" + summary);
        assertTrue(summary.contains("Failed tests: No matches."), summary);
        assertTrue(summary.contains("Error tests: No matches."), summary);
        TreeSet<String> passed = new TreeSet<>();
        Matcher ok = Pattern.compile("\\[OK] ([\\w.$]+)").matcher(summary);
        while (ok.find()) {
            passed.add(ok.group(1));
        }
        assertEquals(tests, passed, "every jcstress test must run and pass:\n" + summary);
    }

    /** The tests jcstress's annotation processor listed when it compiled this module. */
    private static TreeSet<String> listedTests() throws IOException {
        TreeSet<String> tests = new TreeSet<>();
        try (InputStream in = JcstressQuickTest.class.getResourceAsStream("/META-INF/TestList")) {
            assertTrue(in != null, "no META-INF/TestList on the class path: was the jcstress processor run?");
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                Matcher m = TEST_LIST_ENTRY.matcher(line);
                if (m.find()) {
                    tests.add(line.substring(m.end(), m.end() + Integer.parseInt(m.group(1))));
                }
            }
        }
        return tests;
    }
}
