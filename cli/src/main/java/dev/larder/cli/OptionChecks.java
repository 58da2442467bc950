package dev.larder.cli;

import dev.larder.Source;
import java.time.Duration;

/**
 * Range checks of numeric options, run before a command touches anything, so that a refused command leaves nothing
 * behind; a refusal names the option and the value given. Stateless.
 */
final class OptionChecks {
    private OptionChecks() {
    }

    static void atLeast(String option, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be at least " + min + ", got " + value);
        }
    }

    /** A share, 0 to 1. */
    static void share(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(option + " must be between 0 and 1, got " + value);
        }
    }

    /** Inline bytes per string/binary value: the bounds a column's capacity has. */
    static void inlineBytes(String option, int value) {
        if (value < Source.MIN_INLINE_BYTES || value > Source.MAX_INLINE_BYTES) {
            throw new IllegalArgumentException(option + " must be in " + Source.MIN_INLINE_BYTES + ".."
                    + Source.MAX_INLINE_BYTES + ", got " + value);
        }
    }

    static void positive(String option, Duration value) {
        if (!value.isPositive()) {
            throw new IllegalArgumentException(option + " must be positive, got " + value);
        }
    }

    static void notNegative(String option, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(option + " must not be negative, got " + value);
        }
    }
}
