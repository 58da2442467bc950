package dev.larder.tools.generate;

import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape and history of a synthetic feature table. Everything the generator writes is a pure function of this spec, so
 * tests and benchmarks can compute the expected content of any version ({@link #stateAt}, {@link #plan}) and any cell
 * ({@link #numericValue}, {@link #stringValue}) without reading the table.
 *
 * <p>Keys {@code 0..rows-1} are written at version 0. Commit {@code v >= 1} deletes {@link #deletesPerCommit()} live
 * keys, updates {@link #updatesPerCommit()} other live keys (all features get new values) and inserts
 * {@link #insertsPerCommit()} new keys numbered from where the previous commit stopped.
 *
 * @param rows             rows written at version 0
 * @param numericFeatures  numeric feature columns {@code f_0..}; the last {@code float32Features} are float32, the rest
 *                         float64
 * @param float32Features  how many of the numeric features are float32
 * @param stringFeatures   short categorical string columns {@code c_0..}
 * @param commits          commits after version 0 written by {@link DeltaTableGenerator#generate}
 * @param updatesPerCommit live keys rewritten with new values per commit
 * @param deletesPerCommit live keys deleted per commit
 * @param insertsPerCommit new keys per commit
 * @param rowsPerFile      rows per data file written (rewritten files keep the survivors of one file)
 * @param seed             seed of every value and every key choice
 * @param changeDataFeed   whether the table has {@code delta.enableChangeDataFeed=true}, so every commit after version
 *                         0 also writes its changed rows to {@code _change_data/} files, as Delta does; the content of
 *                         every version is the same either way
 */
public record GeneratorSpec(long rows, int numericFeatures, int float32Features, int stringFeatures, int commits,
                            int updatesPerCommit, int deletesPerCommit, int insertsPerCommit, int rowsPerFile,
                            long seed, boolean changeDataFeed) {

    public static final String KEY_COLUMN = "entity_id";

    /**
     * Table property holding the spec, so {@link DeltaTableGenerator#appendCommit} can continue a table alone. It
     * leaves out {@link #changeDataFeed()}: Delta's own {@link #CHANGE_DATA_FEED_PROPERTY} says that.
     */
    static final String SPEC_PROPERTY = "larder.generator.spec";

    /** The Delta table property that enables the change data feed. */
    static final String CHANGE_DATA_FEED_PROPERTY = "delta.enableChangeDataFeed";

    private static final String[][] VOCABULARIES = {
            {"US", "DE", "FR", "GB", "JP", "BR", "IN", "CA"},
            {"ios", "android", "web", "tv"},
            {"free", "plus", "pro"},
    };

    public GeneratorSpec {
        require(rows >= 0, "rows must be >= 0");
        require(numericFeatures >= 0, "numericFeatures must be >= 0");
        require(float32Features >= 0 && float32Features <= numericFeatures,
                "float32Features must be in 0..numericFeatures");
        require(stringFeatures >= 0, "stringFeatures must be >= 0");
        require(commits >= 0, "commits must be >= 0");
        require(updatesPerCommit >= 0 && deletesPerCommit >= 0 && insertsPerCommit >= 0,
                "per-commit counts must be >= 0");
        require(rowsPerFile > 0, "rowsPerFile must be > 0");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Table schema: {@code entity_id} (long, not null), {@code f_i} (double or float), {@code c_i} (string). */
    public StructType schema() {
        StructType schema = new StructType().add(KEY_COLUMN, LongType.LONG, false);
        for (int f = 0; f < numericFeatures; f++) {
            schema = schema.add(numericColumn(f), numericType(f), true);
        }
        for (int s = 0; s < stringFeatures; s++) {
            schema = schema.add(stringColumn(s), StringType.STRING, true);
        }
        return schema;
    }

    public static String numericColumn(int feature) {
        return "f_" + feature;
    }

    public static String stringColumn(int feature) {
        return "c_" + feature;
    }

    public boolean isFloat32(int feature) {
        return feature >= numericFeatures - float32Features;
    }

    public DataType numericType(int feature) {
        return isFloat32(feature) ? FloatType.FLOAT : DoubleType.DOUBLE;
    }

    /**
     * Value of numeric feature {@code feature} for {@code key} as written at {@code writeVersion} (the version that
     * last inserted or updated the key, see {@link TableState#lastWriteVersion}). Float32 features return the float
     * value widened, which is exactly what a reader gets back. Features cycle through a few distributions so the
     * columns do not all look alike: probabilities, counts, centred scores and skewed amounts.
     */
    public double numericValue(long key, int feature, long writeVersion) {
        double u = (hash(key, feature, writeVersion) >>> 11) * 0x1.0p-53;
        double v = switch (feature & 3) {
            case 0 -> u;
            case 1 -> Math.floor(u * 100);
            case 2 -> 2 * u - 1;
            default -> 1000 * u * u * u;
        };
        return isFloat32(feature) ? (float) v : v;
    }

    /** Value of string feature {@code feature} for {@code key} as written at {@code writeVersion}. */
    public String stringValue(long key, int feature, long writeVersion) {
        String[] vocabulary = VOCABULARIES[feature % VOCABULARIES.length];
        long h = hash(key, ~feature, writeVersion);
        return vocabulary[(int) ((h >>> 33) % vocabulary.length)];
    }

    /** Keys deleted, updated and inserted by commit {@code version >= 1}. */
    public CommitPlan plan(long version) {
        require(version >= 1, "version 0 is the initial load, it has no plan");
        KeyLedger ledger = new KeyLedger(this, false);
        for (long v = 1; v < version; v++) {
            ledger.apply(ledger.planNext());
        }
        return ledger.planNext();
    }

    /** Content of the table at {@code version}: which keys are live and the version that last wrote each. */
    public TableState stateAt(long version) {
        require(version >= 0, "version must be >= 0");
        KeyLedger ledger = new KeyLedger(this, true);
        for (long v = 1; v <= version; v++) {
            ledger.apply(ledger.planNext());
        }
        return new TableState(this, ledger);
    }

    String toProperty() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("rows", Long.toString(rows));
        fields.put("numericFeatures", Integer.toString(numericFeatures));
        fields.put("float32Features", Integer.toString(float32Features));
        fields.put("stringFeatures", Integer.toString(stringFeatures));
        fields.put("commits", Integer.toString(commits));
        fields.put("updatesPerCommit", Integer.toString(updatesPerCommit));
        fields.put("deletesPerCommit", Integer.toString(deletesPerCommit));
        fields.put("insertsPerCommit", Integer.toString(insertsPerCommit));
        fields.put("rowsPerFile", Integer.toString(rowsPerFile));
        fields.put("seed", Long.toString(seed));
        StringBuilder out = new StringBuilder();
        fields.forEach((k, v) -> out.append(out.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return out.toString();
    }

    /** This spec, written with or without the change data feed. */
    GeneratorSpec withChangeDataFeed(boolean enabled) {
        return new GeneratorSpec(rows, numericFeatures, float32Features, stringFeatures, commits, updatesPerCommit,
                deletesPerCommit, insertsPerCommit, rowsPerFile, seed, enabled);
    }

    static GeneratorSpec fromProperty(String property) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String field : property.split(",")) {
            int eq = field.indexOf('=');
            require(eq > 0, "malformed " + SPEC_PROPERTY + ": " + property);
            fields.put(field.substring(0, eq), field.substring(eq + 1));
        }
        try {
            return new GeneratorSpec(Long.parseLong(fields.get("rows")),
                    Integer.parseInt(fields.get("numericFeatures")), Integer.parseInt(fields.get("float32Features")),
                    Integer.parseInt(fields.get("stringFeatures")), Integer.parseInt(fields.get("commits")),
                    Integer.parseInt(fields.get("updatesPerCommit")), Integer.parseInt(fields.get("deletesPerCommit")),
                    Integer.parseInt(fields.get("insertsPerCommit")), Integer.parseInt(fields.get("rowsPerFile")),
                    Long.parseLong(fields.get("seed")), false);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed " + SPEC_PROPERTY + ": " + property, e);
        }
    }

    private long hash(long key, int feature, long version) {
        return mix(seed ^ mix(key * 0x9E3779B97F4A7C15L + feature * 0xC2B2AE3D27D4EB4FL
                + version * 0x165667B19E3779F9L));
    }

    /** SplitMix64 finalizer: cheap, and every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builder with defaults shaped like a typical feature table: 20 numeric features (4 float32), 2 categorical. */
    public static final class Builder {
        private long rows = 100_000;
        private int numericFeatures = 20;
        private int float32Features = 4;
        private int stringFeatures = 2;
        private int commits = 5;
        private int updatesPerCommit = 1_000;
        private int deletesPerCommit = 100;
        private int insertsPerCommit = 500;
        private int rowsPerFile = 1_000_000;
        private long seed = 42;
        private boolean changeDataFeed;

        private Builder() {
        }

        public Builder rows(long rows) {
            this.rows = rows;
            return this;
        }

        public Builder numericFeatures(int numericFeatures) {
            this.numericFeatures = numericFeatures;
            return this;
        }

        public Builder float32Features(int float32Features) {
            this.float32Features = float32Features;
            return this;
        }

        public Builder stringFeatures(int stringFeatures) {
            this.stringFeatures = stringFeatures;
            return this;
        }

        public Builder commits(int commits) {
            this.commits = commits;
            return this;
        }

        public Builder updatesPerCommit(int updatesPerCommit) {
            this.updatesPerCommit = updatesPerCommit;
            return this;
        }

        public Builder deletesPerCommit(int deletesPerCommit) {
            this.deletesPerCommit = deletesPerCommit;
            return this;
        }

        public Builder insertsPerCommit(int insertsPerCommit) {
            this.insertsPerCommit = insertsPerCommit;
            return this;
        }

        public Builder rowsPerFile(int rowsPerFile) {
            this.rowsPerFile = rowsPerFile;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Writes the table with Delta's change data feed enabled (default off). */
        public Builder changeDataFeed(boolean changeDataFeed) {
            this.changeDataFeed = changeDataFeed;
            return this;
        }

        public GeneratorSpec build() {
            return new GeneratorSpec(rows, numericFeatures, float32Features, stringFeatures, commits,
                    updatesPerCommit, deletesPerCommit, insertsPerCommit, rowsPerFile, seed, changeDataFeed);
        }
    }
}
