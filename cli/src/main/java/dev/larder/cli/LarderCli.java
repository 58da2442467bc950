package dev.larder.cli;

import dev.larder.store.Generations;
import dev.larder.store.StoreCorruptedException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code larder} command: one subcommand per job. Runs on the caller's thread; exits with the job's status. */
@Command(name = "larder", mixinStandardHelpOptions = true, version = "larder 0.1.0",
        description = "Embedded, memory-mapped online feature store fed from Delta Lake.",
        subcommands = {DemoCommand.class, LoadCommand.class, ApplyChangesCommand.class, GetCommand.class, DumpCommand.class,
                VerifyCommand.class, FollowCommand.class, StatsCommand.class, RebuildCommand.class, GenerateCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class LarderCli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new LarderCli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("larder " + cmd.getCommandName() + ": " + ex.getMessage());
            for (Throwable s : ex.getSuppressed()) {
                cmd.getErr().println("  (then, cleaning up: " + s.getMessage() + ")");
            }
            if (ex instanceof StoreCorruptedException c && c.file().getParent() != null && c.file().getParent().getParent() != null) {
                Path table = c.file().getParent();
                cmd.getErr().println("The table's files are damaged; reads of it cannot be trusted. Rebuild it from its Delta table with:");
                cmd.getErr().println("  ./larder rebuild --store " + table.getParent() + " --table " + Generations.tableOf(table.getFileName().toString())
                        + (c.file().getFileName().toString().equals("table.properties") ? " --delta PATH --key COLUMNS" : ""));
            }
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
