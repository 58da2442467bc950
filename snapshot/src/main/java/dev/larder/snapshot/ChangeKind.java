package dev.larder.snapshot;

/** The kind of a change-feed row, with the Delta {@code _change_type} spelling. */
public enum ChangeKind {
    INSERT("insert"),
    UPDATE_PREIMAGE("update_preimage"),
    UPDATE_POSTIMAGE("update_postimage"),
    DELETE("delete");

    private final String deltaName;

    ChangeKind(String deltaName) {
        this.deltaName = deltaName;
    }

    /** The {@code _change_type} value the Delta protocol uses for this kind. */
    public String deltaName() {
        return deltaName;
    }

    /** True for kinds that take a row image out of the table (delete, update pre-image). */
    public boolean removesImage() {
        return this == DELETE || this == UPDATE_PREIMAGE;
    }

    /** The kind spelled {@code name} by the Delta protocol, or null if the protocol defines no such kind. */
    public static ChangeKind fromDeltaName(String name) {
        for (ChangeKind k : values()) {
            if (k.deltaName.equals(name)) {
                return k;
            }
        }
        return null;
    }
}
