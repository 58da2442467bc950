package dev.larder.ingest;

/**
 * Stateless naming of table generations: generation 0 of table {@code t} is the directory {@code t}, generation N is
 * {@code t.gN}. Table names ending in {@code .g<digits>} are therefore reserved for generations.
 */
final class Generations {
    private Generations() {
    }

    static String name(String table, long generation) {
        return generation == 0 ? table : table + ".g" + generation;
    }

    /** The generation number of {@code dir} if it is a generation of {@code table}, else -1. */
    static long parse(String table, String dir) {
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

    static boolean isGenerationName(String name) {
        int at = name.lastIndexOf(".g");
        return at > 0 && parse(name.substring(0, at), name) > 0;
    }
}
