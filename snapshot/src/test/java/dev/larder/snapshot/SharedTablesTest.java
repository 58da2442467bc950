package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class SharedTablesTest {
    @TempDir
    Path dir;

    @Test
    void missingTablesFailUnderCiNamingTheDirectory() {
        Path missing = dir.resolve("delta-tables");
        AssertionError e = assertThrows(AssertionError.class,
                () -> SharedTables.require(missing, "shared Delta tables", Map.of("CI", "true")::get));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("CI (CI=true) requires it"), e.getMessage());
    }

    @Test
    void missingTablesSkipOutsideCi() {
        Path missing = dir.resolve("delta-tables");
        TestAbortedException e = assertThrows(TestAbortedException.class,
                () -> SharedTables.require(missing, "shared Delta tables", Map.<String, String>of()::get));
        assertTrue(e.getMessage().contains(missing + "; skipping"), e.getMessage());
        assertThrows(TestAbortedException.class,
                () -> SharedTables.require(missing, "shared Delta tables", Map.of("CI", "false")::get));
    }

    @Test
    void presentTablesPassUnderCi() {
        assertDoesNotThrow(() -> SharedTables.require(dir, "shared Delta tables", Map.of("CI", "true")::get));
    }
}
