package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StoreCorruptedExceptionTest {
    @Test
    void serializesKeepingTheMessageThatNamesTheFile() throws IOException, ClassNotFoundException {
        StoreCorruptedException e = new StoreCorruptedException(Path.of("/data/t/state.dat"), "bad magic");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(e);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals("/data/t/state.dat: bad magic", ((StoreCorruptedException) in.readObject()).getMessage());
        }
    }
}
