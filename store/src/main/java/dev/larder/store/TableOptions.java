package dev.larder.store;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Creation and open options of a table.
 *
 * @param initialRows rows to size the files for at creation (they grow past it)
 * @param ttl         rows whose commit timestamp is older than this read as {@link ReadStatus#EXPIRED}; zero = no TTL
 * @param clock       time source for TTL evaluation
 * @param shards      the key shards the table holds ({@link ShardSpec#ALL}: every key); fixed at creation
 * @param eventTime   the column (timestamp, timestamp_ntz or int64, not a key) whose value orders changes to a key,
 *                    so an older event never overwrites a newer value whichever source it came from; empty: changes
 *                    apply in version order. Fixed at creation, recorded in the table's metadata
 */
public record TableOptions(long initialRows, Duration ttl, InstantSource clock, ShardSpec shards, String eventTime) {
    /**
     * 16 initial rows: the files of a small table (most dimension tables) stay a few kilobytes; a bulk load grows a
     * large one by doubling and then trims it to its rows.
     */
    public static final TableOptions DEFAULT = new TableOptions(16, Duration.ZERO, InstantSource.system(),
            ShardSpec.ALL, "");

    public TableOptions(long initialRows, Duration ttl, InstantSource clock, ShardSpec shards) {
        this(initialRows, ttl, clock, shards, "");
    }

    public TableOptions {
        Objects.requireNonNull(eventTime, "eventTime");
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(shards, "shards");
        if (initialRows < 1) {
            throw new IllegalArgumentException("initialRows must be positive");
        }
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative");
        }
    }

    public TableOptions withInitialRows(long rows) {
        return new TableOptions(rows, ttl, clock, shards, eventTime);
    }

    public TableOptions withTtl(Duration newTtl) {
        return new TableOptions(initialRows, newTtl, clock, shards, eventTime);
    }

    public TableOptions withClock(InstantSource newClock) {
        return new TableOptions(initialRows, ttl, newClock, shards, eventTime);
    }

    public TableOptions withShards(ShardSpec newShards) {
        return new TableOptions(initialRows, ttl, clock, newShards, eventTime);
    }

    /** These options with event-time column {@code column} ({@code ""}: none); see {@link #eventTime()}. */
    public TableOptions withEventTime(String column) {
        return new TableOptions(initialRows, ttl, clock, shards, column);
    }
}
