package dev.larder.store.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link MappedFiles#writeInPages}: the bytes land where one positional write puts them, whatever the alignment. */
class PageWritesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"0, 0, 8192", "0, 0, 1", "100, 7, 4096", "4095, 3, 4097", "12288, 0, 300000", "5000, 11, 65537"})
    void writesEveryByteAtItsPosition(long pos, int bufferOffset, int length) throws Exception {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(bufferOffset + length + 13);
        buf.position(bufferOffset).put(bytes).flip().position(bufferOffset);
        Path file = dir.resolve("f");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            assertEquals(pos + length, MappedFiles.writeInPages(ch, buf, pos));
        }
        assertEquals(bufferOffset + length, buf.position());
        assertEquals(bufferOffset + length, buf.limit());
        byte[] file0 = Files.readAllBytes(file);
        assertEquals(pos + length, file0.length);
        assertArrayEquals(new byte[(int) pos], Arrays.copyOf(file0, (int) pos));
        assertArrayEquals(bytes, Arrays.copyOfRange(file0, (int) pos, file0.length));
    }
}
