package dev.larder.store;

import dev.larder.store.engine.MappedFiles;
import dev.larder.store.engine.RowLayoutDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.zip.CRC32;

/**
 * The small metadata file {@code table.properties} of a table: format version, schema, TTL, lineage (source id,
 * watermark version and its commit timestamp), the key shards it holds and its event-time column ({@code ""}: none, see
 * {@link TableOptions#eventTime()}). Immutable value; {@link #write} replaces the file atomically (temporary
 * file, fsync, rename, fsync of the directory) so a crash leaves either the old or the new content, never a mix.
 * A CRC-32 over the content detects files damaged or overwritten by something else.
 */
public record TableMetadata(FeatureSchema schema, Duration ttl, Lineage lineage, ShardSpec shards, String eventTime) {
    static final String FILE = "table.properties";
    /** 2: a one-column key is stored once, in its column ({@link RowLayoutDescriptor#keyIsItsColumn}). */
    static final int FORMAT_VERSION = 2;
    /** Format 1 rows kept a copy of every key; they open unchanged where format 2 keeps the copy too. */
    private static final int FORMAT_KEY_COPIED = 1;

    public TableMetadata(FeatureSchema schema, Duration ttl, Lineage lineage, ShardSpec shards) {
        this(schema, ttl, lineage, shards, "");
    }

    public TableMetadata {
        Objects.requireNonNull(eventTime, "eventTime");
        if (!eventTime.isEmpty()) {
            checkEventTime(schema, eventTime);
        }
    }

    /**
     * Checks that {@code column} can order a table's changes: a nullable or not column of {@code schema} of type
     * timestamp, timestamp_ntz or int64 that is not a key column.
     *
     * @throws IllegalArgumentException naming the column and why not
     */
    public static void checkEventTime(FeatureSchema schema, String column) {
        if (!schema.names().contains(column)) {
            throw new IllegalArgumentException("event-time column " + column + " is not a column of the table"
                    + " (columns: " + schema.names() + ")");
        }
        int c = schema.indexOf(column);
        ColumnType t = schema.type(c);
        if (t != ColumnType.TIMESTAMP && t != ColumnType.TIMESTAMP_NTZ && t != ColumnType.INT64) {
            throw new IllegalArgumentException("event-time column " + column + " is " + schema.column(c).typeString()
                    + "; it must be timestamp, timestamp_ntz or int64");
        }
        for (int k : schema.keyColumns()) {
            if (k == c) {
                throw new IllegalArgumentException("event-time column " + column + " is a key column");
            }
        }
    }

    public TableMetadata withLineage(Lineage l) {
        return new TableMetadata(schema, ttl, l, shards, eventTime);
    }

    void write(Path dir) {
        Properties p = new Properties();
        p.setProperty("format.version", Integer.toString(FORMAT_VERSION));
        schema.store(p);
        p.setProperty("ttl.millis", Long.toString(ttl.toMillis()));
        if (!shards.ownsAll()) {
            p.setProperty("shards", shards.toString());
        }
        if (!eventTime.isEmpty()) {
            p.setProperty("event.time.column", eventTime);
        }
        p.setProperty("lineage.source.id", lineage.sourceId());
        p.setProperty("lineage.source.path", lineage.sourcePath());
        p.setProperty("lineage.version", Long.toString(lineage.version()));
        p.setProperty("lineage.commit.timestamp.millis", Long.toString(lineage.commitTimestampMillis()));
        if (lineage.fromCatalog()) {
            p.setProperty("lineage.catalog.table", lineage.catalogTable());
            p.setProperty("lineage.catalog.table.id", lineage.catalogTableId());
        }
        String body = canonical(p);
        String text = body + "crc32=" + crc(body) + "\n";
        Path target = dir.resolve(FILE);
        try {
            StoreFiles.replaceAtomically(target, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreException("cannot write " + target + ": " + StoreFiles.describe(e), e);
        }
    }

    static TableMetadata read(Path dir) {
        return read(dir, false);
    }

    /**
     * {@link #read(Path)} for opening the table's rows: also refuses a store whose row layout this build no longer
     * writes, naming the commands that rebuild it.
     */
    static TableMetadata readForRows(Path dir) {
        return read(dir, true);
    }

    private static TableMetadata read(Path dir, boolean forRows) {
        Path file = dir.resolve(FILE);
        String text;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            MappedFiles.refuseLink(file);
            throw new StoreException("cannot read " + file + ": " + StoreFiles.describe(e), e);
        }
        int crcAt = text.lastIndexOf("crc32=");
        if (crcAt < 0 || !text.endsWith("\n")) {
            throw new StoreCorruptedException(file, "not a Larder table metadata file (no checksum line)");
        }
        String body = text.substring(0, crcAt);
        String stored = text.substring(crcAt + 6).trim();
        if (!stored.equals(Long.toString(crc(body)))) {
            throw new StoreCorruptedException(file, "checksum mismatch (file damaged or edited)");
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(body));
            int format = Integer.parseInt(p.getProperty("format.version", "-1"));
            if (format != FORMAT_VERSION && format != FORMAT_KEY_COPIED) {
                throw new StoreCorruptedException(file, "unsupported format version " + format + " (this build reads "
                        + FORMAT_KEY_COPIED + " and " + FORMAT_VERSION + ")");
            }
            FeatureSchema schema = FeatureSchema.load(p);
            if (forRows && format == FORMAT_KEY_COPIED && RowLayoutDescriptor.keyIsItsColumn(schema)) {
                throw new StoreException(dir + " was written by an earlier Larder (format " + format + ", rows with a"
                        + " copy of their key); this build keeps key column '" + schema.column(schema.keyColumn(0))
                        .name() + "' once (format " + FORMAT_VERSION + ") and cannot open its rows. Rebuild the table"
                        + " from its Delta table: larder rebuild --store STORE --table "
                        + Generations.tableOf(dir.getFileName().toString())
                        + " (or load it again into a new store)");
            }
            Duration ttl = Duration.ofMillis(Long.parseLong(p.getProperty("ttl.millis", "0")));
            Lineage lineage = new Lineage(p.getProperty("lineage.source.id", ""),
                    p.getProperty("lineage.source.path", ""),
                    Long.parseLong(p.getProperty("lineage.version", "-1")),
                    Long.parseLong(p.getProperty("lineage.commit.timestamp.millis", "0")),
                    p.getProperty("lineage.catalog.table", ""), p.getProperty("lineage.catalog.table.id", ""));
            String shards = p.getProperty("shards");
            return new TableMetadata(schema, ttl, lineage, shards == null ? ShardSpec.ALL : ShardSpec.parse(shards),
                    p.getProperty("event.time.column", ""));
        } catch (IOException | IllegalArgumentException e) {
            throw new StoreCorruptedException(file, "malformed: " + e.getMessage());
        }
    }

    /** Properties text with sorted keys and no date comment, so the checksum depends on content only. */
    private static String canonical(Properties p) {
        StringBuilder sb = new StringBuilder();
        p.stringPropertyNames().stream().sorted().forEach(k -> {
            Properties one = new Properties();
            one.setProperty(k, p.getProperty(k));
            StringWriter w = new StringWriter();
            try {
                one.store(w, null);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            String s = w.toString();
            sb.append(s.substring(s.indexOf('\n') + 1));
        });
        return sb.toString().replace(System.lineSeparator(), "\n");
    }

    private static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
