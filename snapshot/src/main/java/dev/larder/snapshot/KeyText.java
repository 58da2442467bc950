package dev.larder.snapshot;

import dev.larder.store.FeatureSchema;
import dev.larder.store.RowImage;

/** Human-readable rendering of a row's key for error messages. Stateless. */
final class KeyText {
    private KeyText() {
    }

    static String of(RowImage row) {
        FeatureSchema s = row.schema();
        StringBuilder sb = new StringBuilder("(");
        for (int k = 0; k < s.keyColumnCount(); k++) {
            int c = s.keyColumn(k);
            sb.append(k == 0 ? "" : ", ").append(s.column(c).name()).append('=').append(row.isNull(c) ? "null" : row.getObject(c));
        }
        return sb.append(')').toString();
    }
}
