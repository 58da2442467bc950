package dev.larder;

/**
 * One input of a model's feature vector: a numeric column of a served table and the value used when the entity is
 * missing, expired or the value null.
 *
 * @param table        the table name
 * @param column       the column name
 * @param defaultValue the value the model gets when the table has none
 */
public record Feature(String table, String column, double defaultValue) {

    /** {@code table.column} with default 0. */
    public static Feature of(String tableDotColumn) {
        return of(tableDotColumn, 0.0);
    }

    /** {@code table.column} with a default. */
    public static Feature of(String tableDotColumn, double defaultValue) {
        int dot = tableDotColumn.indexOf('.');
        if (dot <= 0 || dot == tableDotColumn.length() - 1) {
            throw new IllegalArgumentException("a feature is table.column: " + tableDotColumn);
        }
        return new Feature(tableDotColumn.substring(0, dot), tableDotColumn.substring(dot + 1), defaultValue);
    }
}
