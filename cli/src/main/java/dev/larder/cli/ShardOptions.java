package dev.larder.cli;

import dev.larder.Source;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --shards N --own i[,j...]}: the key shards a loaded or followed table holds (README, Shards). */
final class ShardOptions {
    @Option(names = "--shards", paramLabel = "N", description = "Hold only some of N key shards (Spark's "
            + "pmod(hash(key), N)); with --own.")
    Integer count;

    @Option(names = "--own", paramLabel = "I", split = ",", description = "The shards held, comma-separated, with"
            + " --shards.")
    List<Integer> owned;

    /** Whether --shards or --own was given. */
    boolean given() {
        return count != null || owned != null;
    }

    /** {@code source} holding the shards given, or as it is when none were. */
    Source apply(Source source) {
        if ((count == null) != (owned == null)) {
            throw new IllegalArgumentException("give --shards N and --own I[,J...] together");
        }
        return count == null ? source : source.shards(count, owned.stream().mapToInt(Integer::intValue).toArray());
    }
}
