package dev.larder.snapshot.trainset;

import dev.larder.snapshot.DeltaColumn;
import dev.larder.snapshot.DeltaRow;
import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable once read: label events, column by column, with each event's time in epoch milliseconds. Read from a CSV
 * file with a header row (a column of integers is {@code bigint}, of numbers {@code double}, of {@code true}/{@code
 * false} {@code boolean}, else {@code string}; the time column is a timestamp) or from the latest snapshot of a Delta
 * table (integers widened to {@code bigint}, floats and decimals to {@code double}).
 */
public final class Labels {
    /** How a label column is kept and written. */
    public enum Kind {
        LONG, DOUBLE, BOOLEAN, STRING, TIMESTAMP, DATE
    }

    /**
     * One label column.
     *
     * @param name   its name
     * @param kind   its type; TIMESTAMP values are epoch microseconds ({@code Long}), DATE values days
     *               ({@code Integer})
     * @param values one per label, null for null
     */
    public record Column(String name, Kind kind, List<Object> values) {
    }

    private final String origin;
    private final List<Column> columns;
    private final long[] timeMillis;

    private Labels(String origin, List<Column> columns, long[] timeMillis) {
        this.origin = origin;
        this.columns = List.copyOf(columns);
        this.timeMillis = timeMillis;
    }

    /** Where the labels came from (file or table), for messages. */
    public String origin() {
        return origin;
    }

    public List<Column> columns() {
        return columns;
    }

    public int size() {
        return timeMillis.length;
    }

    /** Label {@code i}'s event time in epoch milliseconds. */
    public long timeMillis(int i) {
        return timeMillis[i];
    }

    /** The index of column {@code name}, or an exception naming the labels' columns. */
    public int column(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("the labels " + origin + " have no column " + name + " (columns: "
                + columns.stream().map(Column::name).toList() + ")");
    }

    /** Labels from the columns given, the event time from {@code timeColumn} (TIMESTAMP, or LONG epoch millis). */
    public static Labels of(String origin, List<Column> columns, String timeColumn) {
        int at = -1;
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(timeColumn)) {
                at = i;
            }
        }
        if (at < 0) {
            throw new IllegalArgumentException("the labels " + origin + " have no time column " + timeColumn
                    + " (columns: " + columns.stream().map(Column::name).toList() + ")");
        }
        Column time = columns.get(at);
        int n = time.values().size();
        long[] millis = new long[n];
        for (int i = 0; i < n; i++) {
            Object v = time.values().get(i);
            if (v == null) {
                throw new IllegalArgumentException(origin + ", label " + (i + 1) + ": time column " + timeColumn
                        + " is null");
            }
            millis[i] = switch (time.kind()) {
                case TIMESTAMP -> Math.floorDiv((Long) v, 1000L);
                case LONG -> (Long) v;
                default -> throw new IllegalArgumentException("the labels' time column " + timeColumn + " in "
                        + origin + " is " + time.kind() + ", not a timestamp or epoch milliseconds");
            };
        }
        return new Labels(origin, columns, millis);
    }

    /**
     * Reads a CSV file with a header row (RFC 4180 quoting; an empty cell is null). The time column holds epoch
     * milliseconds or ISO-8601 times ({@code 2026-11-03T10:15:30Z}, with an offset, or without one as UTC).
     */
    public static Labels csv(Path file, String timeColumn) {
        List<String> header;
        List<List<String>> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            CsvReader csv = new CsvReader(in, file);
            header = csv.next();
            if (header == null) {
                throw new IllegalArgumentException("the labels file " + file + " is empty (it needs a header row)");
            }
            for (List<String> r = csv.next(); r != null; r = csv.next()) {
                if (r.size() == 1 && r.get(0).isEmpty()) {
                    continue;
                }
                if (r.size() != header.size()) {
                    throw new IllegalArgumentException(file + ", line " + csv.line() + ": " + r.size()
                            + " cells, but the header has " + header.size());
                }
                rows.add(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the labels file " + file, e);
        }
        List<Column> columns = new ArrayList<>();
        for (int c = 0; c < header.size(); c++) {
            columns.add(csvColumn(file, header.get(c), c, rows, header.get(c).equals(timeColumn)));
        }
        return of(file.toString(), columns, timeColumn);
    }

    private static Column csvColumn(Path file, String name, int c, List<List<String>> rows, boolean time) {
        List<Object> values = new ArrayList<>(rows.size());
        if (time) {
            for (int i = 0; i < rows.size(); i++) {
                String s = rows.get(i).get(c);
                values.add(s.isEmpty() ? null : parseTimeMicros(s, file, i + 2, name));
            }
            return new Column(name, Kind.TIMESTAMP, values);
        }
        boolean longs = true;
        boolean doubles = true;
        boolean booleans = true;
        for (List<String> r : rows) {
            String s = r.get(c);
            if (!s.isEmpty()) {
                longs &= isLong(s);
                doubles &= isDouble(s);
                booleans &= s.equals("true") || s.equals("false");
            }
        }
        Kind kind = longs ? Kind.LONG : doubles ? Kind.DOUBLE : booleans ? Kind.BOOLEAN : Kind.STRING;
        for (List<String> r : rows) {
            String s = r.get(c);
            values.add(s.isEmpty() ? null : switch (kind) {
                case LONG -> (Object) Long.parseLong(s);
                case DOUBLE -> Double.parseDouble(s);
                case BOOLEAN -> Boolean.parseBoolean(s);
                default -> s;
            });
        }
        return new Column(name, kind, values);
    }

    private static boolean isLong(String s) {
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isDouble(String s) {
        try {
            Double.parseDouble(s);
            return !s.endsWith("d") && !s.endsWith("f") && !s.endsWith("D") && !s.endsWith("F");
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Epoch millis, or ISO-8601 with an offset or {@code Z}, or without one (UTC), or a date (its UTC midnight). */
    static long parseTimeMicros(String s, Path file, int line, String column) {
        if (isLong(s)) {
            return Math.multiplyExact(Long.parseLong(s), 1000L);
        }
        try {
            Instant at;
            if (s.length() == 10) {
                at = LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
            } else if (s.endsWith("Z") || s.endsWith("z")) {
                at = Instant.parse(s.toUpperCase(java.util.Locale.ROOT));
            } else {
                String t = s.replace(' ', 'T');
                at = hasOffset(t) ? OffsetDateTime.parse(t).toInstant()
                        : LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            }
            return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(file + ", line " + line + ", column " + column + ": '" + s
                    + "' is neither epoch milliseconds nor an ISO-8601 time", e);
        }
    }

    private static boolean hasOffset(String t) {
        int time = t.indexOf('T');
        return time > 0 && (t.indexOf('+', time) > 0 || t.indexOf('-', time) > 0);
    }

    /** Reads the latest snapshot of a Delta table of labels. */
    public static Labels delta(DeltaSource source, String timeColumn) {
        long version = source.latestVersion();
        DeltaSchema schema = source.schema(version);
        List<Column> columns = new ArrayList<>();
        Kind[] kinds = new Kind[schema.size()];
        for (int c = 0; c < schema.size(); c++) {
            DeltaColumn col = schema.column(c);
            kinds[c] = switch (col.type().kind()) {
                case BYTE, SHORT, INT, LONG -> Kind.LONG;
                case FLOAT, DOUBLE, DECIMAL -> Kind.DOUBLE;
                case BOOLEAN -> Kind.BOOLEAN;
                case STRING -> Kind.STRING;
                case TIMESTAMP, TIMESTAMP_NTZ -> Kind.TIMESTAMP;
                case DATE -> Kind.DATE;
                default -> throw new IllegalArgumentException("the labels table " + source.tablePath()
                        + " (version " + version + "): column " + col.name() + " is of type " + col.type().kind()
                        + ", which a training set does not carry");
            };
            columns.add(new Column(col.name(), kinds[c], new ArrayList<>()));
        }
        source.scan(version, (DeltaRow row) -> {
            for (int c = 0; c < kinds.length; c++) {
                columns.get(c).values().add(row.isNull(c) ? null : value(row, c, schema.column(c)));
            }
        });
        return of(source.tablePath() + " (version " + version + ")", columns, timeColumn);
    }

    private static Object value(DeltaRow row, int c, DeltaColumn col) {
        return switch (col.type().kind()) {
            case BYTE -> (long) row.getByte(c);
            case SHORT -> (long) row.getShort(c);
            case INT -> (long) row.getInt(c);
            case LONG -> row.getLong(c);
            case FLOAT -> (double) row.getFloat(c);
            case DOUBLE -> row.getDouble(c);
            case DECIMAL -> row.getDecimal(c).doubleValue();
            case BOOLEAN -> row.getBoolean(c);
            case STRING -> row.getString(c);
            case TIMESTAMP, TIMESTAMP_NTZ -> row.getTimestampMicros(c);
            case DATE -> row.getDate(c);
            default -> throw new IllegalStateException("unreachable: " + col);
        };
    }

    /** A minimal RFC 4180 reader: quoted cells may hold commas, doubled quotes and line breaks. */
    private static final class CsvReader {
        private final BufferedReader in;
        private final Path file;
        private int line;

        CsvReader(BufferedReader in, Path file) {
            this.in = in;
            this.file = file;
        }

        int line() {
            return line;
        }

        List<String> next() throws IOException {
            String text = in.readLine();
            if (text == null) {
                return null;
            }
            line++;
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            int i = 0;
            while (true) {
                if (i == text.length()) {
                    if (!quoted) {
                        break;
                    }
                    String more = in.readLine();
                    if (more == null) {
                        throw new IllegalArgumentException(file + ", line " + line + ": a quoted cell never ends");
                    }
                    line++;
                    cell.append('\n');
                    text = more;
                    i = 0;
                    continue;
                }
                char ch = text.charAt(i++);
                if (quoted) {
                    if (ch == '"' && i < text.length() && text.charAt(i) == '"') {
                        cell.append('"');
                        i++;
                    } else if (ch == '"') {
                        quoted = false;
                    } else {
                        cell.append(ch);
                    }
                } else if (ch == '"') {
                    quoted = true;
                } else if (ch == ',') {
                    cells.add(cell.toString().strip());
                    cell.setLength(0);
                } else {
                    cell.append(ch);
                }
            }
            cells.add(cell.toString().strip());
            return cells;
        }
    }
}
