package dev.larder.snapshot.parquet;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Decodes parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary ids, RLE booleans) straight from a
 * page buffer into an {@code int[]}, keeping its place between calls; confined to one thread.
 *
 * <p>Format (parquet-format Encodings.md): a sequence of runs, each a ULEB128 header; an even header {@code h} is an
 * RLE run of {@code h >>> 1} copies of one value stored in {@code ceil(width / 8)} little-endian bytes; an odd header
 * is a bit-packed run of {@code (h >>> 1) * 8} values of {@code width} bits each, packed least significant bit first.
 */
final class HybridDecoder {
    private final int width;
    private final int valueBytes;
    private final long mask;
    private ByteBuffer in;
    private int end;
    private int runLeft;
    private boolean packed;
    private int repeated;
    private long bits;
    private int bitCount;

    HybridDecoder(int width) {
        if (width < 0 || width > 32) {
            throw new IllegalArgumentException("bit width out of range: " + width);
        }
        this.width = width;
        this.valueBytes = (width + 7) / 8;
        this.mask = (1L << width) - 1;
    }

    /**
     * Starts decoding the {@code length} bytes at {@code buffer}'s position, consuming the buffer as it goes (pass a
     * duplicate to keep the caller's position).
     */
    void reset(ByteBuffer buffer, int length) {
        in = buffer;
        end = buffer.position() + length;
        if (end > buffer.limit()) {
            throw new IllegalStateException("encoded run length " + length + " runs past the page end");
        }
        runLeft = 0;
        bitCount = 0;
        bits = 0;
    }

    /** Decodes the next {@code n} values into {@code out[0..n)}. */
    void read(int[] out, int n) {
        int i = 0;
        while (i < n) {
            if (runLeft == 0) {
                nextRun();
            }
            int k = Math.min(runLeft, n - i);
            if (packed) {
                for (int j = 0; j < k; j++) {
                    while (bitCount < width) {
                        bits |= (long) (in.get() & 0xff) << bitCount;
                        bitCount += 8;
                    }
                    out[i + j] = (int) (bits & mask);
                    bits >>>= width;
                    bitCount -= width;
                }
            } else {
                Arrays.fill(out, i, i + k, repeated);
            }
            i += k;
            runLeft -= k;
        }
    }

    private void nextRun() {
        if (in.position() >= end) {
            throw new IllegalStateException("encoded values end before the page's value count");
        }
        int header = 0;
        int shift = 0;
        int b;
        do {
            b = in.get() & 0xff;
            header |= (b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0 && shift < 35);
        packed = (header & 1) == 1;
        runLeft = packed ? (header >>> 1) * 8 : header >>> 1;
        if (runLeft <= 0) {
            throw new IllegalStateException("empty or oversized run header " + header);
        }
        // A bit-packed run is whole bytes; leftover bits of the previous run are padding.
        bits = 0;
        bitCount = 0;
        if (!packed) {
            int v = 0;
            for (int i = 0; i < valueBytes; i++) {
                v |= (in.get() & 0xff) << (8 * i);
            }
            repeated = v;
        }
    }
}
