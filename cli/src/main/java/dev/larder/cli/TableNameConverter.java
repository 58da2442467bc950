package dev.larder.cli;

import dev.larder.store.Generations;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A {@code --table} value: a valid table name that is not a generation's ({@code users.g1} belongs to {@code users}).
 */
final class TableNameConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        try {
            return Generations.checkTableName(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
