package dev.larder.snapshot;

/**
 * A struct, array or map value, held as its JSON rendering in {@link JsonRowFormat}'s encoding; immutable
 * and independent of the batch it was read from.
 */
public final class NestedValue {
    private final DeltaType type;
    private final String json;

    NestedValue(DeltaType type, String json) {
        this.type = type;
        this.json = json;
    }

    public DeltaType type() {
        return type;
    }

    /** The value as JSON: struct as object, array as list, map as {@code {"$map": [[k, v], ...]}}. */
    public String toJson() {
        return json;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NestedValue n && n.type.equals(type) && n.json.equals(json);
    }

    @Override
    public int hashCode() {
        return json.hashCode();
    }

    @Override
    public String toString() {
        return json;
    }
}
