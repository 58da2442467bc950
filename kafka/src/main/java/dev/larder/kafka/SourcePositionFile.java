package dev.larder.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The {@code kafka-position} file of a Kafka-fed table: which offset of each partition every recent table version
 * starts the next version at; also the {@code batch-position} file of a table fed by a batch source and Kafka
 * ({@link BatchAndKafkaSource}), where partition 0 holds the batch source's version. Confined to the follower thread.
 *
 * <p>One line per version, appended and fsynced before the version is handed to the writer:
 * {@code <version> <partition>:<next offset>[,...] <crc32c hex>}. A line whose checksum does not match (a write torn by
 * a crash) and everything after it are ignored. The file keeps the last {@value #KEEP} versions, at least as many as
 * a table can publish before it syncs ({@code SyncPolicy}'s default of 1000 pending versions), so the entry of the
 * watermark a table reopens at is still there after a power loss too; it is compacted by an atomic rewrite.
 */
final class SourcePositionFile {
    /** The file's name in the table's directory. */
    static final String NAME = "kafka-position";
    static final int KEEP = 1024;

    private final Path file;
    /** The lines of the file, oldest first, each with its version. */
    private final Deque<Entry> entries = new ArrayDeque<>();
    private FileChannel channel;

    private record Entry(long version, String line) {
    }

    SourcePositionFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    /**
     * The next offset of each partition stored with {@code version} (the newest such entry: a version appended by a
     * run that crashed before publishing it, then appended again, is read as written last), or null when the file
     * holds no entry for it.
     */
    Map<Integer, Long> at(long version) {
        load();
        Map<Integer, Long> found = null;
        for (Entry e : entries) {
            if (e.version == version) {
                found = parseOffsets(e.line);
            }
        }
        return found;
    }

    /**
     * Rewrites the file atomically so that its newest entry is {@code version} with {@code offsets}: entries of later
     * versions (appended, never published) go, as they name positions the table does not hold.
     */
    void restartAt(long version, Map<Integer, Long> offsets) {
        load();
        Iterator<Entry> it = entries.descendingIterator();
        while (it.hasNext() && it.next().version >= version) {
            it.remove();
        }
        entries.addLast(new Entry(version, line(version, offsets)));
        rewrite();
    }

    /** Appends {@code version}'s offsets and forces them to disk; compacts once the file holds twice what it keeps. */
    void append(long version, Map<Integer, Long> offsets) {
        String line = line(version, offsets);
        entries.addLast(new Entry(version, line));
        if (entries.size() > 2 * KEEP) {
            rewrite();
            return;
        }
        try {
            FileChannel ch = channel();
            ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append the source position of version " + version + " to " + file,
                    e);
        }
    }

    void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + file, e);
            } finally {
                channel = null;
            }
        }
    }

    private FileChannel channel() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
        }
        return channel;
    }

    private void load() {
        if (!entries.isEmpty()) {
            return;
        }
        try {
            for (String l : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                int sp = l.lastIndexOf(' ');
                if (sp < 0 || !checksum(l.substring(0, sp)).equals(l.substring(sp + 1))) {
                    break;
                }
                entries.addLast(new Entry(Long.parseLong(l.substring(0, l.indexOf(' '))), l));
            }
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the source positions in " + file, e);
        }
    }

    private void rewrite() {
        while (entries.size() > KEEP) {
            entries.removeFirst();
        }
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.line).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            close();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.US_ASCII));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the source positions in " + file, e);
        }
    }

    private static String line(long version, Map<Integer, Long> offsets) {
        StringBuilder sb = new StringBuilder().append(version).append(' ');
        boolean first = true;
        for (Map.Entry<Integer, Long> e : new TreeMap<>(offsets).entrySet()) {
            sb.append(first ? "" : ",").append(e.getKey()).append(':').append(e.getValue());
            first = false;
        }
        String body = sb.toString();
        return body + " " + checksum(body);
    }

    private static Map<Integer, Long> parseOffsets(String line) {
        String[] parts = line.split(" ");
        Map<Integer, Long> m = new TreeMap<>();
        if (!parts[1].isEmpty()) {
            for (String po : parts[1].split(",")) {
                int c = po.indexOf(':');
                m.put(Integer.parseInt(po.substring(0, c)), Long.parseLong(po.substring(c + 1)));
            }
        }
        return m;
    }

    private static String checksum(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return Long.toHexString(crc.getValue());
    }
}
