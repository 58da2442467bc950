package dev.larder.stress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.UUID;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * A Delta table written by hand (parquet files through parquet-mr, commit JSON as text), so tests can put exactly the
 * content and the damage they need into a commit: null or oversized keys, duplicate keys, paths outside the root,
 * malformed JSON, schema changes, change data files. Columns: {@code id} string (the key), {@code n} long,
 * {@code score} double, {@code note} string, all nullable in Delta.
 */
final class HandMadeDelta {
    /** One data row; any field may be null. */
    record Row(String id, Long n, Double score, String note) {
    }

    static final String SCHEMA_FIELDS = "{\"name\":\"id\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
            + "{\"name\":\"n\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
            + "{\"name\":\"score\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
            + "{\"name\":\"note\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}";
    private static final MessageType PARQUET = MessageTypeParser.parseMessageType(
            "message spark_schema { optional binary id (STRING); optional int64 n; optional double score;"
                    + " optional binary note (STRING); }");
    private static final MessageType CDC_PARQUET = MessageTypeParser.parseMessageType(
            "message spark_schema { optional binary id (STRING); optional int64 n; optional double score;"
                    + " optional binary note (STRING);"
                    + " optional binary _change_type (STRING); }");

    final Path root;
    final String id = UUID.randomUUID().toString();

    private HandMadeDelta(Path root) {
        this.root = root;
    }

    /** Version 0: protocol, metadata and one file with {@code rows}. */
    static HandMadeDelta create(Path root, List<Row> rows) throws IOException {
        HandMadeDelta t = new HandMadeDelta(root);
        Files.createDirectories(root.resolve("_delta_log"));
        String file = t.writeData("part-0.parquet", rows);
        t.commit(0, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}", t.metaData(SCHEMA_FIELDS),
                t.add(file));
        return t;
    }

    String metaData(String fields) {
        String schema = "{\"type\":\"struct\",\"fields\":[" + fields + "]}";
        return "{\"metaData\":{\"id\":\"" + id
                + "\",\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":"
                + quote(schema) + ",\"partitionColumns\":[],\"configuration\":{},\"createdTime\":1764000000000}}";
    }

    /**
     * Writes a change data file under {@code _change_data/}, row i with {@code _change_type}
     * {@code changeTypes.get(i)}, and returns its path relative to the root.
     */
    String writeChangeData(String name, List<Row> rows, List<String> changeTypes) throws IOException {
        Path file = root.resolve("_change_data").resolve(name);
        Files.createDirectories(file.getParent());
        write(file, CDC_PARQUET, rows, changeTypes);
        return "_change_data/" + name;
    }

    /** A cdc action for a file written by {@link #writeChangeData}. */
    String cdc(String path) throws IOException {
        return "{\"cdc\":{\"path\":" + quote(path) + ",\"partitionValues\":{},\"size\":"
                + Files.size(root.resolve(path))
                + ",\"dataChange\":false}}";
    }

    /** Writes a parquet data file under the root and returns its name. */
    String writeData(String name, List<Row> rows) throws IOException {
        writeParquet(root.resolve(name), rows);
        return name;
    }

    static void writeParquet(Path file, List<Row> rows) throws IOException {
        write(file, PARQUET, rows, null);
    }

    private static void write(Path file, MessageType type, List<Row> rows,
            List<String> changeTypes) throws IOException {
        Files.deleteIfExists(file);
        SimpleGroupFactory groups = new SimpleGroupFactory(type);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withType(type).build()) {
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                Group g = groups.newGroup();
                if (changeTypes != null) {
                    g.add("_change_type", changeTypes.get(i));
                }
                if (r.id() != null) {
                    g.add("id", r.id());
                }
                if (r.n() != null) {
                    g.add("n", r.n());
                }
                if (r.score() != null) {
                    g.add("score", r.score());
                }
                if (r.note() != null) {
                    g.add("note", r.note());
                }
                w.write(g);
            }
        }
        // parquet-mr leaves a Hadoop checksum sidecar; Delta tables do not have them.
        Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    }

    /** An add action for {@code path} as written in the log; the size is the file's if it exists. */
    String add(String path) throws IOException {
        Path f = root.resolve(path).normalize();
        long size = Files.exists(f) ? Files.size(f) : 1000;
        return "{\"add\":{\"path\":" + quote(path) + ",\"partitionValues\":{},\"size\":" + size
                + ",\"modificationTime\":1764000000000,\"dataChange\":true}}";
    }

    String remove(String path) {
        return "{\"remove\":{\"path\":" + quote(path) + ",\"deletionTimestamp\":1764000000000,\"dataChange\":true}}";
    }

    Path commitFile(long version) {
        return root.resolve("_delta_log").resolve(String.format("%020d.json", version));
    }

    /** Writes a commit atomically (temporary file, then rename), as a reader polling the log must see it. */
    void commit(long version, String... actions) throws IOException {
        writeCommitText(version, String.join("\n", actions) + "\n");
    }

    void writeCommitText(long version, String text) throws IOException {
        writeCommitText(version, text, -1);
    }

    /** Like {@link #commit}, with the commit file's modification time (the storage clock's commit time) set first. */
    void commitAt(long version, long modifiedMillis, String... actions) throws IOException {
        writeCommitText(version, String.join("\n", actions) + "\n", modifiedMillis);
    }

    private void writeCommitText(long version, String text, long modifiedMillis) throws IOException {
        Path tmp = root.resolve("_delta_log").resolve(".tmp-" + version);
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        if (modifiedMillis >= 0) {
            Files.setLastModifiedTime(tmp, FileTime.fromMillis(modifiedMillis));
        }
        Files.move(tmp, commitFile(version), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
