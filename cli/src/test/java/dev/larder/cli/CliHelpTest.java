package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cli.CliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every subcommand answers {@code --help}, and {@code --verbose} shows an error's causes. */
class CliHelpTest {
    @TempDir
    Path dir;

    @Test
    void everySubcommandAnswersHelpWithItsOwnUsage() {
        CommandLine cli = new CommandLine(new LarderCli());
        for (String name : cli.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            Run r = larder(name, "--help");
            assertEquals(0, r.exit(), name + " --help: " + r.err());
            assertTrue(r.out().startsWith("Usage: larder " + name), name + " --help: " + r.out());
            assertTrue(r.out().contains("--verbose"), name + " --help lists --verbose: " + r.out());
            assertEquals("", r.err(), name + " --help");
        }
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
    }
}
