package dev.larder.store;

/**
 * Stateless naming of table generations: generation 0 of table {@code t} is the directory {@code t}, generation N is
 * {@code t.gN}. A rebuild or re-bootstrap fills a new generation beside the current one; the current generation of a
 * table is its newest one with a watermark ({@link FeatureStore#table(String)}). Names ending in {@code .g<digits>} are
 * therefore reserved: no user-named table may take one ({@link #checkTableName}).
 */
public final class Generations {
    private Generations() {
    }

    /** The directory name of {@code generation} of {@code table}. */
    public static String name(String table, long generation) {
        if (generation < 0) {
            throw new IllegalArgumentException("generation must be >= 0: " + generation);
        }
        return generation == 0 ? table : table + ".g" + generation;
    }

    /** The generation number of {@code dir} if it is a generation of {@code table}, else -1. */
    public static long parse(String table, String dir) {
        if (dir.equals(table)) {
            return 0;
        }
        String prefix = table + ".g";
        if (!dir.startsWith(prefix) || dir.length() == prefix.length() || dir.length() - prefix.length() > 18) {
            return -1;
        }
        for (int i = prefix.length(); i < dir.length(); i++) {
            char c = dir.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        long g = Long.parseLong(dir.substring(prefix.length()));
        return g == 0 ? -1 : g;
    }

    /** Whether {@code name} has the form of generation 1 or later of some table ({@code NAME.gN}). */
    public static boolean isGenerationName(String name) {
        int at = name.lastIndexOf(".g");
        return at > 0 && parse(name.substring(0, at), name) > 0;
    }

    /** The table a directory belongs to: {@code t} for {@code t.g3} and for {@code t}. */
    public static String tableOf(String dir) {
        return isGenerationName(dir) ? dir.substring(0, dir.lastIndexOf(".g")) : dir;
    }

    /**
     * Checks a name a user gives a table: a valid store name that is not a generation's ({@code users.g1} would be
     * taken for a newer generation of {@code users}).
     *
     * @throws IllegalArgumentException naming the table the name is reserved for
     */
    public static String checkTableName(String name) {
        StoreFiles.checkName(name);
        if (isGenerationName(name)) {
            throw new IllegalArgumentException("invalid table name '" + name
                    + "': names ending in .g<digits> are reserved for the "
                    + "generations of table " + tableOf(name));
        }
        return name;
    }
}
