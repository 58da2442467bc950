package dev.larder;

import java.lang.reflect.Array;

/** Stateless: the tables that map the engine's enums to the facade's (and back) by constant name. */
final class EnumsByName {
    private EnumsByName() {
    }

    /**
     * {@code to}'s constant of each of {@code from}'s names, indexed by the {@code from} constant's ordinal, so a
     * mapping costs one array load. A name {@code to} lacks fails here, at the mapping class's initialisation, not on
     * a read.
     */
    static <T extends Enum<T>> T[] byOrdinal(Enum<?>[] from, Class<T> to) {
        @SuppressWarnings("unchecked")
        T[] mapped = (T[]) Array.newInstance(to, from.length);
        for (Enum<?> e : from) {
            mapped[e.ordinal()] = Enum.valueOf(to, e.name());
        }
        return mapped;
    }
}
