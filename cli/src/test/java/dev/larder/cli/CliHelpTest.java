package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cli.CliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every subcommand answers {@code --help}, and {@code --verbose} shows an error's causes. */
class CliHelpTest {
    @TempDir
    Path dir;

    /** Subcommands come from the command spec, at every depth, so a command added later is checked too. */
    @Test
    void everySubcommandAnswersHelpWithItsOwnUsage() {
        List<String[]> commands = new ArrayList<>();
        subcommands(new CommandLine(new LarderCli()), List.of(), commands);
        assertTrue(commands.size() >= 12, "every command of the spec, help included: " + commands.size());
        for (String[] command : commands) {
            String name = String.join(" ", command);
            String[] args = Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            Run r = larder(args);
            assertEquals(0, r.exit(), name + " --help: " + r.err());
            // help's own usage has a header line above it.
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("Usage: larder " + name + " ")), name + " --help: "
                    + r.out());
            assertTrue(r.out().contains("--verbose"), name + " --help lists --verbose: " + r.out());
            assertEquals("", r.err(), name + " --help");
        }
    }

    private static void subcommands(CommandLine parent, List<String> path, List<String[]> out) {
        for (Map.Entry<String, CommandLine> sub : parent.getSubcommands().entrySet()) {
            List<String> command = new ArrayList<>(path);
            command.add(sub.getKey());
            out.add(command.toArray(String[]::new));
            subcommands(sub.getValue(), command, out);
        }
    }

    @Test
    void helpOfLoadIsItsUsageAndItsVersionIsADeltaVersion() {
        Run r = larder("help", "load");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("Usage: larder load "), r.out());
        assertTrue(r.out().contains("--version=<version>") && r.out().contains("Delta version to load"), r.out());
    }

    @Test
    void verboseShowsTheCausesOfAnErrorOnOneLineEach() throws Exception {
        Path delta = dir.resolve("delta");
        Files.createDirectories(delta.resolve("_delta_log"));
        Files.writeString(delta.resolve("_delta_log/00000000000000000000.json"), "{\"commitInfo\": not json\n");
        String[] load = {"load", "--delta", delta.toString(), "--key", "id", "--store", dir.resolve("s").toString(),
            "--table", "t"};
        Run plain = larder(load);
        assertEquals(1, plain.exit(), plain.out());
        assertFalse(plain.err().contains("caused by"), plain.err());
        assertTrue(plain.err().contains("Unrecognized token 'not'"), "Jackson's words end the line: " + plain.err());

        String[] verboseLoad = new String[load.length + 1];
        System.arraycopy(load, 0, verboseLoad, 0, load.length);
        verboseLoad[load.length] = "--verbose";
        Run verbose = larder(verboseLoad);
        assertEquals(1, verbose.exit(), verbose.out());
        assertTrue(verbose.err().startsWith(plain.err()), "the error itself is unchanged: " + verbose.err());
        String[] causes = verbose.err().substring(plain.err().length()).split("\n");
        assertTrue(causes.length >= 2, "Kernel's exception and Jackson's under it: " + verbose.err());
        for (String cause : causes) {
            assertTrue(cause.startsWith("  caused by "), "one line per cause: " + verbose.err());
        }
        assertTrue(causes[causes.length - 1].startsWith("  caused by com.fasterxml.jackson.core.JsonParseException: "
                + "Unrecognized token 'not'"), verbose.err());
    }

    @Test
    void withoutVerboseAnErrorStillEndsWithWhatItsInnermostCauseSaid() {
        Exception s3 = new IllegalStateException("MALFORMED_LOG: Error reading JSON file: s3a://b/t/_delta_log/5.json",
                new RuntimeException("Error accessing s3://b/t/_delta_log/5.json",
                        new java.io.IOException("the object came back without an ETag\n(ESC \u001b[2K)")));
        assertEquals("MALFORMED_LOG: Error reading JSON file: s3a://b/t/_delta_log/5.json (cause: the object came back"
                + " without an ETag\\n(ESC \\u001b[2K))", LarderCli.message(s3));
        Exception said = new IllegalStateException("cannot parse: bad token", new RuntimeException("bad token"));
        assertEquals("cannot parse: bad token", LarderCli.message(said), "a cause already quoted is not repeated");
        Exception io = new java.io.IOException("Error accessing s3://b/k", new IllegalStateException("throttled"));
        assertEquals("Error accessing s3://b/k (cause: throttled)", LarderCli.message(io), "an I/O error too");
        Exception silent = new IllegalStateException("cannot read", new java.io.EOFException());
        assertEquals("cannot read (cause: java.io.EOFException)", LarderCli.message(silent), "a cause with no message");
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertEquals("a (cause: b)", LarderCli.message(a), "a cycle of causes ends where it closes");
    }
}
