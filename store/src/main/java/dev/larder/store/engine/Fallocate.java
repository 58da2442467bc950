package dev.larder.store.engine;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Allocates a file's blocks without writing them, through Linux {@code posix_fallocate(3)}; thread-safe (stateless).
 *
 * <p>Only where the JVM lets this module call native code ({@code --enable-native-access}, as the CLI runs), so that
 * an embedding JVM started without flags sees no restricted-method warning, and only on Linux; elsewhere
 * {@link #available()} is false and callers write zeros instead. The foreign function API is reached by reflection:
 * the project compiles for Java 21, where it is a preview, while it runs on the Java 22+ API where it is final.
 */
final class Fallocate {
    /** {@code open(2)} flags: write-only and close on exec; O_NOFOLLOW's value depends on the CPU. */
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;

    private static final MethodHandle OPEN;
    private static final MethodHandle POSIX_FALLOCATE;
    private static final MethodHandle CLOSE;
    private static final Method ARENA_OF_CONFINED;
    private static final Method ALLOCATE_FROM;
    private static final int OPEN_FLAGS;

    static {
        int noFollow = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> 0x20000;
            case "aarch64" -> 0x8000;
            default -> -1;
        };
        MethodHandle[] handles = null;
        Method ofConfined = null;
        Method allocateFrom = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux") && noFollow > 0) {
            try {
                if ((boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(Fallocate.class.getModule())) {
                    handles = downcalls();
                    Class<?> arena = Class.forName("java.lang.foreign.Arena");
                    ofConfined = arena.getMethod("ofConfined");
                    allocateFrom = arena.getMethod("allocateFrom", String.class);
                }
            } catch (ReflectiveOperationException | RuntimeException unavailable) {
                // Java 21, or no such C library functions: callers write zeros.
                handles = null;
            }
        }
        OPEN = handles == null ? null : handles[0];
        POSIX_FALLOCATE = handles == null ? null : handles[1];
        CLOSE = handles == null ? null : handles[2];
        ARENA_OF_CONFINED = handles == null ? null : ofConfined;
        ALLOCATE_FROM = handles == null ? null : allocateFrom;
        OPEN_FLAGS = O_WRONLY | O_CLOEXEC | noFollow;
    }

    private Fallocate() {
    }

    /** Handles of {@code open(path, flags)}, {@code posix_fallocate(fd, offset, length)} and {@code close(fd)}. */
    private static MethodHandle[] downcalls() throws ReflectiveOperationException {
        Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
        Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
        Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
        Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
        Object linker = linkerType.getMethod("nativeLinker").invoke(null);
        Object libc = linkerType.getMethod("defaultLookup").invoke(linker);
        Method find = lookupType.getMethod("find", String.class);
        Method of = descriptorType.getMethod("of", layoutType, layoutType.arrayType());
        Method downcall = linkerType.getMethod("downcallHandle", segmentType, descriptorType, optionType.arrayType());
        Object jint = valueLayout.getField("JAVA_INT").get(null);
        Object jlong = valueLayout.getField("JAVA_LONG").get(null);
        Object address = valueLayout.getField("ADDRESS").get(null);
        Object[][] signatures = {{address, jint}, {jint, jlong, jlong}, {jint}};
        String[] names = {"open", "posix_fallocate", "close"};
        MethodHandle[] out = new MethodHandle[names.length];
        for (int i = 0; i < names.length; i++) {
            Object args = Array.newInstance(layoutType, signatures[i].length);
            for (int a = 0; a < signatures[i].length; a++) {
                Array.set(args, a, signatures[i][a]);
            }
            Object symbol = ((Optional<?>) find.invoke(libc, names[i])).orElseThrow();
            Object descriptor = of.invoke(null, jint, args);
            out[i] = (MethodHandle) downcall.invoke(linker, symbol, descriptor, Array.newInstance(optionType, 0));
        }
        return out;
    }

    /** Whether {@link #allocate} can run here. */
    static boolean available() {
        return OPEN != null;
    }

    /**
     * Allocates bytes {@code [offset, offset + length)} of {@code file}, extending it when they run past its end; the
     * new bytes read as zeros. Returns false when that cannot be done here (the caller writes zeros instead, which
     * reports any error of its own).
     *
     * @throws IOException "No space left on device" or "Disk quota exceeded", naming the file; what of the range was
     *                     allocated may stay allocated (the caller truncates)
     */
    static boolean allocate(Path file, long offset, long length) throws IOException {
        if (!available()) {
            return false;
        }
        int error;
        try {
            AutoCloseable arena = (AutoCloseable) ARENA_OF_CONFINED.invoke(null);
            try {
                int fd = (int) OPEN.invoke(ALLOCATE_FROM.invoke(arena, file.toString()), OPEN_FLAGS);
                if (fd < 0) {
                    return false;
                }
                try {
                    error = (int) POSIX_FALLOCATE.invoke(fd, offset, length);
                } finally {
                    // Linux releases the descriptor whatever close returns: there is nothing to retry.
                    int ignored = (int) CLOSE.invoke(fd);
                }
            } finally {
                arena.close();
            }
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            // The calls do not fail this way; were they to, zeros are the safe way on.
            return false;
        }
        if (error == ENOSPC || error == EDQUOT) {
            throw new IOException((error == ENOSPC ? "No space left on device" : "Disk quota exceeded") + ": " + file);
        }
        return error == 0;
    }
}
