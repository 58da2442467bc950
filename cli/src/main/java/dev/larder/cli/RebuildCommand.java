package dev.larder.cli;

import dev.larder.Larder;
import dev.larder.Rebuilt;
import dev.larder.Source;
import dev.larder.ingest.Redaction;
import java.io.Console;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code larder rebuild}: replaces a damaged table with a fresh bootstrap from its Delta table (the recorded source,
 * or {@code --delta/--key} when the metadata file itself is damaged), built beside it; the old files are deleted only
 * once the new copy is complete. Asks first unless {@code --yes}.
 */
@Command(name = "rebuild",
        description = "Rebuild a damaged table from its Delta table: bootstrap the latest version beside it, "
        + "then delete the old files (kept if the rebuild fails).")
final class RebuildCommand implements Callable<Integer> {
    @Mixin
    StoreOptions target;

    @Mixin
    HadoopOptions hadoop;

    @Option(names = "--delta",
            description = "Delta table path or URI (default: the source recorded in the table's metadata).")
    String delta;

    @Option(names = "--key", split = ",", description = "Key column(s), needed with --delta.")
    List<String> key;

    @Option(names = "--inline-bytes", defaultValue = "" + Source.DEFAULT_INLINE_BYTES,
            description = "With --delta: bytes of each non-key string/binary kept inline in the row; longer values go"
            + " to the table's heap by their length (default ${DEFAULT-VALUE}; key strings stay inline, up to 64"
            + " bytes or this if larger).")
    int inlineBytes;

    @Option(names = "--ttl", defaultValue = "0s", converter = DurationConverter.class,
            description = "TTL with --delta (default none).")
    Duration ttl;

    @Option(names = "--yes", description = "Do not ask for confirmation.")
    boolean yes;

    @Override
    public Integer call() {
        OptionChecks.inlineBytes("--inline-bytes", inlineBytes);
        OptionChecks.notNegative("--ttl", ttl);
        if (delta != null && (key == null || key.isEmpty())) {
            throw new IllegalArgumentException("--delta needs --key");
        }
        String from = delta != null ? Redaction.uris(delta) : "the Delta table it records";
        if (!yes) {
            Console console = System.console();
            if (console == null) {
                throw new IllegalStateException("not a terminal: pass --yes to rebuild " + target.table + " from "
                        + from);
            }
            String answer = console.readLine("Rebuild table %s in %s from %s (its files are deleted once the new copy"
                    + " is complete)? [y/N] ", target.table, target.store, from);
            if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
                System.out.println("left unchanged");
                return 1;
            }
        }
        Larder.Builder builder = Larder.builder(target.store).unityCatalog(hadoop.catalogUri(),
                hadoop.catalogTokenEnv());
        Rebuilt r;
        try (Progress.Bar bar = new Progress.Bar("rebuild", -1)) {
            r = delta != null
                    ? builder.rebuild(target.table, hadoop.withSettings(Source.delta(delta))
                            .key(key.toArray(String[]::new)).inlineBytes(inlineBytes).ttl(ttl), bar)
                    : builder.rebuild(target.table, hadoop.conf, bar);
        }
        System.out.printf("rebuilt %s from %s at version %d: %,d rows (in %s)%n", r.table(), r.source(), r.version(),
                r.rows(), r.generation());
        return 0;
    }
}
