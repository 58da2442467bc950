package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Lineage#feeder()} names what feeds a table in the words its messages use. */
class LineageTest {
    @Test
    void theFeederIsNamedByItsKind() {
        assertEquals("Delta table s3a://lake/users", new Lineage("id", "s3a://lake/users", 3, 1).feeder());
        assertEquals("catalog table main.f.users at s3a://lake/users",
                new Lineage("id", "s3a://lake/users", 3, 1).withCatalog("main.f.users", "uc-id").feeder());
        assertEquals("Kafka topic localhost:9092/clicks",
                new Lineage("t", "kafka://localhost:9092/clicks", 3, 1).feeder());
        assertEquals("the application (pushed rows)", Lineage.APPLICATION.feeder());
        assertEquals("no recorded source", Lineage.EMPTY.feeder());
    }
}
