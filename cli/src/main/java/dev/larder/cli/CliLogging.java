package dev.larder.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

/**
 * Larder's log records (System.Logger, which goes to java.util.logging) printed as the command line's own lines on
 * stderr: {@code warning: MESSAGE}, not the JDK's two-line format with a date and a class name, so a warning such as a
 * commit stamped in the future reads like the command's other output whichever command applied the commit.
 */
final class CliLogging {
    private CliLogging() {
    }

    /** Formats the console handler's lines, unless the user configured logging ({@code java.util.logging.config.*}). */
    static void install() {
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        for (Handler h : LogManager.getLogManager().getLogger("").getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setFormatter(new Line());
            }
        }
    }

    /** One line per record: its level as the CLI writes it, the message, and the cause if any. */
    private static final class Line extends Formatter {
        @Override
        public String format(LogRecord r) {
            int level = r.getLevel().intValue();
            String prefix = level >= Level.SEVERE.intValue() ? "error: "
                    : level >= Level.WARNING.intValue() ? "warning: " : "";
            Throwable cause = r.getThrown();
            String line = prefix + formatMessage(r) + (cause == null ? "" : " (" + cause + ")")
                    + System.lineSeparator();
            return Progress.showing() ? System.lineSeparator() + line : line;
        }
    }
}
