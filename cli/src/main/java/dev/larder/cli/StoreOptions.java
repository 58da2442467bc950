package dev.larder.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --store/--table pair most commands take (a picocli mixin). */
final class StoreOptions {
    @Option(names = "--store", required = true, description = "Store directory.")
    Path store;

    @Option(names = "--table", required = true, description = "Table name in the store.")
    String table;
}
