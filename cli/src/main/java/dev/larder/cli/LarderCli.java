package dev.larder.cli;

import dev.larder.ingest.Redaction;
import dev.larder.ingest.RemoteText;
import dev.larder.store.Generations;
import dev.larder.store.StoreCorruptedException;
import dev.larder.store.StoreFiles;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code larder} command: one subcommand per job. Runs on the caller's thread; exits with the job's status. Every
 * subcommand inherits picocli's standard {@code --help} and {@code --version} and this command's {@code --verbose}
 * (an error's whole cause chain); {@code load}, whose {@code --version} is a Delta version, declares its own
 * {@code --help}.
 */
@Command(name = "larder", version = "larder 0.1.0", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT,
        description = "Embedded, memory-mapped online feature store fed from Delta Lake.",
        subcommands = {DemoCommand.class, LoadCommand.class, ApplyChangesCommand.class, GetCommand.class,
                DumpCommand.class, VerifyCommand.class, FollowCommand.class, StatsCommand.class, RebuildCommand.class,
                GenerateCommand.class, BenchCommand.class,
                ShardOfCommand.class, SkewCheckCommand.class, TrainingSetCommand.class,
                CommandLine.HelpCommand.class})
public final class LarderCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Set wherever it is given: before the subcommand or after it (an inherited option binds to this field). */
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, also print each cause under it (type and message), outermost first.")
    boolean verbose;

    public static void main(String[] args) {
        CliLogging.install();
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        LarderCli larder = new LarderCli();
        CommandLine cl = new CommandLine(larder);
        cl.setParameterExceptionHandler(LarderCli::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Messages of Hadoop, the AWS SDK or a catalog may quote a URI or a setting as the user gave it.
            cmd.getErr().println("larder " + cmd.getCommandName() + ": " + Redaction.text(message(ex)));
            for (Throwable sup : ex.getSuppressed()) {
                cmd.getErr().println("  (then, cleaning up: " + Redaction.text(sup.getMessage()) + ")");
            }
            if (larder.verbose) {
                for (Throwable t : causes(ex)) {
                    cmd.getErr().println("  caused by " + t.getClass().getName() + ": " + Redaction.text(
                            RemoteText.of(String.valueOf(t.getMessage()))));
                }
            }
            if (ex instanceof StoreCorruptedException c) {
                rebuildHint(c).ifPresent(cmd.getErr()::println);
            }
            return 1;
        });
        return cl.execute(args);
    }

    /**
     * Prints a command line picocli refused, as its default handler does, with secrets masked: the refused argument is
     * quoted in the message (e.g. {@code --conf fs.s3a.secret.key:VALUE}, typed with a colon instead of '=', or
     * {@code -Dfs.s3a.secret.key=VALUE} as if it were a JVM option).
     */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        // The whole message: an unknown option (--fs.azure.sas.token=V) is quoted in it, not as the refused value.
        cmd.getErr().println(cmd.getColorScheme().errorText(Redaction.text(ex.getMessage())));
        if (!UnmatchedArgumentException.printSuggestions(ex, cmd.getErr())) {
            cmd.usage(cmd.getErr(), cmd.getColorScheme());
        }
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The error line for {@code ex}. File-system exceptions carry only a path as their message, so a refused access,
     * wherever it is wrapped, is spelled out as "permission denied" with the path. The innermost cause says what
     * actually failed (what an S3 client or a parser answered), so its message (its type when it has none) ends the
     * line unless already in it.
     */
    static String message(Throwable ex) {
        String m = ex instanceof IOException io ? StoreFiles.describe(io) : String.valueOf(ex.getMessage());
        List<Throwable> causes = causes(ex);
        for (Throwable t : causes) {
            if (t instanceof AccessDeniedException a && !m.contains("permission denied")) {
                m += " (" + StoreFiles.describe(a) + ")";
            }
        }
        if (!causes.isEmpty()) {
            Throwable root = causes.getLast();
            String why = root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getName()
                    : root.getMessage();
            if (!m.contains(why)) {
                m += " (cause: " + RemoteText.of(why) + ")";
            }
        }
        return m;
    }

    /** The causes under {@code ex}, outermost first; a cause met again (a cycle) ends the chain. */
    static List<Throwable> causes(Throwable ex) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(ex);
        List<Throwable> out = new ArrayList<>();
        for (Throwable t = ex.getCause(); t != null && seen.add(t); t = t.getCause()) {
            out.add(t);
        }
        return out;
    }

    /**
     * What to tell an operator whose table has the damaged file {@code c.file()}: how to rebuild it, if it is in a
     * table directory.
     */
    static Optional<String> rebuildHint(StoreCorruptedException c) {
        Path table = c.file().getParent();
        if (table == null || table.getParent() == null) {
            return Optional.empty();
        }
        return Optional.of("The table's files are damaged; reads of it cannot be trusted. Rebuild it from its Delta "
                + "table with:\n"
                + "  ./larder rebuild --store " + table.getParent() + " --table "
                + Generations.tableOf(table.getFileName().toString())
                + (c.file().getFileName().toString().equals("table.properties") ? " --delta PATH --key COLUMNS" : ""));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
