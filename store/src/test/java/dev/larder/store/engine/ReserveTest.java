package dev.larder.store.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MappedFiles#reserve} with native access (as the CLI runs, in a child JVM): blocks are allocated without
 * writing them, the new bytes read as zeros, and a full disk is an IOException naming the file with the file given
 * back; without native access (this JVM) it writes zeros, as before.
 */
class ReserveTest {
    private static final long MB = 1 << 20;

    @TempDir
    Path dir;

    private Path mount;

    @AfterEach
    void unmount() throws Exception {
        if (mount != null) {
            run(List.of("umount", "-l", mount.toString()));
        }
    }

    /** Child entry point: reserves {@code args[1]} bytes of {@code args[0]} after 1 MiB of ones, then reports. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        System.out.println("WITHOUT_WRITING " + MappedFiles.reservesWithoutWriting());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer ones = ByteBuffer.allocate((int) MB);
            while (ones.hasRemaining()) {
                ones.put((byte) 1);
            }
            ch.write(ones.flip(), 0);
            try {
                MappedFiles.reserve(ch, Long.parseLong(args[1]), file);
                System.out.println("RESERVED " + ch.size());
            } catch (IOException e) {
                System.out.println("FAILED " + ch.size() + " " + e.getMessage());
            }
        }
    }

    private String child(Path file, long size) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ReserveTest.class.getName(), file.toString(),
                Long.toString(size))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("WARNING"), "native access granted, so no warning: " + out);
        return out;
    }

    private static boolean linux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
    }

    @Test
    void withNativeAccessBlocksAreAllocatedWithoutWritingAndReadAsZeros() throws Exception {
        assumeTrue(linux(), "posix_fallocate is used on Linux only");
        Path file = dir.resolve("rows.dat");
        String out = child(file, 9 * MB);
        assertTrue(out.contains("WITHOUT_WRITING true"), out);
        assertTrue(out.contains("RESERVED " + 9 * MB), out);
        byte[] all = Files.readAllBytes(file);
        assertEquals(9 * MB, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(i < MB ? 1 : 0, all[i], "byte " + i);
        }
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).start();
        String[] blocks = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim().split(" ");
        assertTrue(stat.waitFor(10, TimeUnit.SECONDS));
        assertTrue(Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]) >= 9 * MB,
                "the reserved range has its blocks, not a hole: " + String.join(" ", blocks));
    }

    @Test
    void withNativeAccessAFullDiskIsAnErrorNamingTheFileAndTheFileIsGivenBack() throws Exception {
        assumeTrue(linux(), "posix_fallocate is used on Linux only");
        mount = Files.createDirectories(dir.resolve("small"));
        // A full file system of our own needs a small tmpfs, which only root may mount.
        if (run(List.of("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())) != 0) {
            mount = null;
        }
        assumeTrue(mount != null, "cannot mount a tmpfs here (needs root)");
        Path file = mount.resolve("rows.dat");
        String out = child(file, 64 * MB);
        assertTrue(out.contains("WITHOUT_WRITING true"), out);
        assertTrue(out.contains("FAILED " + MB + " cannot reserve " + 64 * MB + " bytes for " + file
                + " (No space left on device"), out);
        assertEquals(MB, Files.size(file), "the file is back to its size");
    }

    @Test
    void withoutNativeAccessZerosAreWritten() throws IOException {
        assertFalse(MappedFiles.reservesWithoutWriting(), "this JVM runs without --enable-native-access");
        Path file = dir.resolve("rows.dat");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MappedFiles.reserve(ch, 3 * MB, file);
            assertEquals(3 * MB, ch.size());
        }
        byte[] all = Files.readAllBytes(file);
        for (byte b : all) {
            assertEquals(0, b);
        }
    }

    private static int run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
