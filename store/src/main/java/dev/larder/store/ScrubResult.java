package dev.larder.store;

import java.util.List;

/**
 * What {@link FeatureTable#scrub()} found.
 *
 * @param rows    live rows checked
 * @param damaged rows whose contents do not match their checksum
 * @param samples up to {@link #MAX_SAMPLES} damaged rows described by key ({@code column=value, ...}) and version
 */
public record ScrubResult(long rows, long damaged, List<String> samples) {
    public static final int MAX_SAMPLES = 10;

    public ScrubResult {
        samples = List.copyOf(samples);
    }
}
