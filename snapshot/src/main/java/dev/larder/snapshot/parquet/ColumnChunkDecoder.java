package dev.larder.snapshot.parquet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes one flat (non-repeated) primitive column chunk, page after page, into {@link DecodedVector}s; confined to
 * the reading thread.
 *
 * <p>Handles data pages v1 and v2 (already decompressed by parquet-mr's page reader), RLE definition levels, PLAIN
 * values (length-prefixed for strings and binaries), dictionary ids (PLAIN_DICTIONARY / RLE_DICTIONARY) over a PLAIN
 * dictionary page, RLE booleans, DELTA_BINARY_PACKED integers and DELTA_(LENGTH_)BYTE_ARRAY strings. Values are
 * read straight from little-endian page buffers: parquet-mr's own value readers go through a stream per value, which
 * made them most of a bootstrap's CPU time.
 */
final class ColumnChunkDecoder {
    private static final HeapByteBufferAllocator HEAP = new HeapByteBufferAllocator();

    private final ColumnDescriptor column;
    private final String name;
    private final PrimitiveTypeName type;
    private final boolean floating;
    private final int maxDef;
    private final HybridDecoder defs;
    private int[] levels = new int[0];
    private int[] ids = new int[0];

    private PageReader pages;
    private long[] dictLongs;
    private double[] dictDoubles;
    private byte[] dictBytes;
    private int[] dictStarts;
    private int[] dictLengths;
    private int dictSize;

    private ByteBuffer page;
    private int pageLeft;
    private HybridDecoder idDecoder;
    /** A DELTA_BINARY_PACKED page's values, decoded when the page starts; count -1 for other encodings. */
    private long[] unpacked;
    private int unpackedCount = -1;
    private int unpackedPos;
    /** Values of the last DELTA_BINARY_PACKED run read. */
    private int deltaCount;
    /** A DELTA_(LENGTH_)BYTE_ARRAY page's values, decoded when the page starts; count -1 for other encodings. */
    private byte[] pageBytes;
    private int[] byteStarts;
    private int[] byteLengths;
    private int byteCount = -1;
    private int bytePos;
    private long[] prefixScratch;
    private long[] lengthScratch;
    private int boolByte;
    private int boolBit;

    ColumnChunkDecoder(ColumnDescriptor column) {
        this.column = column;
        this.name = String.join(".", column.getPath());
        this.type = column.getPrimitiveType().getPrimitiveTypeName();
        this.floating = type == PrimitiveTypeName.FLOAT || type == PrimitiveTypeName.DOUBLE;
        this.maxDef = column.getMaxDefinitionLevel();
        this.defs = maxDef > 0 ? new HybridDecoder(32 - Integer.numberOfLeadingZeros(maxDef)) : null;
    }

    ColumnDescriptor column() {
        return column;
    }

    /** Starts on a new row group's chunk of this column, loading its dictionary if it has one. */
    // PLAIN_DICTIONARY is deprecated in the format, but Parquet v1 writers still label dictionary pages with it.
    @SuppressWarnings("deprecation")
    void start(PageReader chunk) {
        pages = chunk;
        pageLeft = 0;
        dictSize = -1;
        DictionaryPage dict = chunk.readDictionaryPage();
        if (dict == null) {
            return;
        }
        if (dict.getEncoding() != Encoding.PLAIN && dict.getEncoding() != Encoding.PLAIN_DICTIONARY) {
            throw new IllegalStateException("column " + name + ": dictionary page encoding " + dict.getEncoding()
                    + " is not PLAIN");
        }
        int n = dict.getDictionarySize();
        ByteBuffer b = bytes(dict.getBytes());
        dictSize = n;
        if (type == PrimitiveTypeName.BINARY) {
            dictStarts = dictStarts != null && dictStarts.length >= n ? dictStarts : new int[n];
            dictLengths = dictLengths != null && dictLengths.length >= n ? dictLengths : new int[n];
            dictBytes = new byte[b.remaining()];
            int base = b.position();
            b.get(dictBytes);
            b.position(base);
            for (int i = 0; i < n; i++) {
                int length = b.getInt();
                if (length < 0 || length > b.remaining()) {
                    throw new IllegalStateException("column " + name + ": dictionary value length " + length
                            + " runs past the page");
                }
                dictStarts[i] = b.position() - base;
                dictLengths[i] = length;
                b.position(b.position() + length);
            }
        } else if (floating) {
            dictDoubles = dictDoubles != null && dictDoubles.length >= n ? dictDoubles : new double[n];
            for (int i = 0; i < n; i++) {
                dictDoubles[i] = type == PrimitiveTypeName.FLOAT ? b.getFloat() : b.getDouble();
            }
        } else {
            dictLongs = dictLongs != null && dictLongs.length >= n ? dictLongs : new long[n];
            for (int i = 0; i < n; i++) {
                dictLongs[i] = switch (type) {
                    case INT32 -> b.getInt();
                    case INT64 -> b.getLong();
                    default -> throw new IllegalStateException("column " + name + ": dictionary for " + type);
                };
            }
        }
    }

    /** Decodes the next {@code n} rows into {@code out[offset..offset + n)}. */
    void read(DecodedVector out, int offset, int n) {
        int done = 0;
        while (done < n) {
            if (pageLeft == 0) {
                nextPage();
            }
            int k = Math.min(pageLeft, n - done);
            decode(out, offset + done, k);
            done += k;
            pageLeft -= k;
        }
    }

    private void decode(DecodedVector out, int at, int k) {
        boolean[] nulls = out.nulls;
        int present = k;
        if (defs != null) {
            if (levels.length < k) {
                levels = new int[Math.max(k, 1024)];
            }
            defs.read(levels, k);
            present = 0;
            for (int i = 0; i < k; i++) {
                boolean isNull = levels[i] != maxDef;
                nulls[at + i] = isNull;
                present += isNull ? 0 : 1;
            }
            if (present < k) {
                out.anyNull = true;
            }
        }
        boolean dense = present == k;
        if (idDecoder != null) {
            if (ids.length < present) {
                ids = new int[Math.max(present, 1024)];
            }
            idDecoder.read(ids, present);
            int j = 0;
            for (int i = 0; i < k; i++) {
                if (dense || !nulls[at + i]) {
                    int id = ids[j++];
                    if (type == PrimitiveTypeName.BOOLEAN) {
                        out.longs[at + i] = id;
                    } else if (id >= dictSize) {
                        throw new IllegalStateException("column " + name + ": dictionary id " + id + " out of range "
                                + dictSize);
                    } else if (type == PrimitiveTypeName.BINARY) {
                        out.putBytes(at + i, dictBytes, dictStarts[id], dictLengths[id]);
                    } else if (floating) {
                        out.doubles[at + i] = dictDoubles[id];
                    } else {
                        out.longs[at + i] = dictLongs[id];
                    }
                }
            }
            return;
        }
        if (byteCount >= 0) {
            for (int i = 0; i < k; i++) {
                if (dense || !nulls[at + i]) {
                    if (bytePos >= byteCount) {
                        throw new IllegalStateException("column " + name + ": delta-encoded values end early");
                    }
                    out.putBytes(at + i, pageBytes, byteStarts[bytePos], byteLengths[bytePos]);
                    bytePos++;
                }
            }
            return;
        }
        if (unpackedCount >= 0) {
            long[] l = out.longs;
            for (int i = 0; i < k; i++) {
                if (dense || !nulls[at + i]) {
                    if (unpackedPos >= unpackedCount) {
                        throw new IllegalStateException("column " + name + ": delta-encoded values end early");
                    }
                    long value = unpacked[unpackedPos++];
                    l[at + i] = type == PrimitiveTypeName.INT32 ? (int) value : value;
                }
            }
            return;
        }
        ByteBuffer b = page;
        switch (type) {
            case DOUBLE -> {
                double[] d = out.doubles;
                for (int i = 0; i < k; i++) {
                    if (dense || !nulls[at + i]) {
                        d[at + i] = b.getDouble();
                    }
                }
            }
            case FLOAT -> {
                double[] d = out.doubles;
                for (int i = 0; i < k; i++) {
                    if (dense || !nulls[at + i]) {
                        d[at + i] = b.getFloat();
                    }
                }
            }
            case INT64 -> {
                long[] l = out.longs;
                for (int i = 0; i < k; i++) {
                    if (dense || !nulls[at + i]) {
                        l[at + i] = b.getLong();
                    }
                }
            }
            case INT32 -> {
                long[] l = out.longs;
                for (int i = 0; i < k; i++) {
                    if (dense || !nulls[at + i]) {
                        l[at + i] = b.getInt();
                    }
                }
            }
            case BINARY -> {
                for (int i = 0; i < k; i++) {
                    if (dense || !nulls[at + i]) {
                        int length = b.getInt();
                        if (length < 0 || length > b.remaining()) {
                            throw new IllegalStateException("column " + name + ": value length " + length
                                    + " runs past the page");
                        }
                        out.putBytes(at + i, b, length);
                    }
                }
            }
            case BOOLEAN -> {
                long[] l = out.longs;
                for (int i = 0; i < k; i++) {
                    if (dense || !nulls[at + i]) {
                        l[at + i] = (b.get(boolByte) >>> boolBit) & 1;
                        if (++boolBit == 8) {
                            boolBit = 0;
                            boolByte++;
                        }
                    }
                }
            }
            default -> throw new IllegalStateException("column " + name + ": physical type " + type);
        }
    }

    private void nextPage() {
        DataPage p = pages.readPage();
        if (p == null) {
            throw new IllegalStateException("column " + name + ": chunk ends before the row group's row count");
        }
        pageLeft = p.getValueCount();
        if (p instanceof DataPageV1 v1) {
            ByteBuffer b = bytes(v1.getBytes());
            if (defs != null) {
                if (v1.getDlEncoding() != Encoding.RLE) {
                    throw new IllegalStateException("column " + name + ": definition level encoding "
                            + v1.getDlEncoding() + " is not supported");
                }
                int length = b.getInt();
                defs.reset(b.duplicate(), length);
                b.position(b.position() + length);
            }
            startValues(b, v1.getValueEncoding());
        } else {
            DataPageV2 v2 = (DataPageV2) p;
            if (v2.getRepetitionLevels().size() != 0) {
                throw new IllegalStateException("column " + name + ": repetition levels in a flat column");
            }
            if (defs != null) {
                ByteBuffer d = bytes(v2.getDefinitionLevels());
                defs.reset(d, d.remaining());
            }
            startValues(bytes(v2.getData()), v2.getDataEncoding());
        }
    }

    private void startValues(ByteBuffer b, Encoding encoding) {
        page = b;
        idDecoder = null;
        unpackedCount = -1;
        byteCount = -1;
        switch (encoding) {
            case PLAIN -> {
                boolByte = b.position();
                boolBit = 0;
            }
            case PLAIN_DICTIONARY, RLE_DICTIONARY -> {
                if (dictSize < 0) {
                    throw new IllegalStateException("column " + name
                            + ": dictionary-encoded page without a dictionary");
                }
                int width = b.get() & 0xff;
                idDecoder = new HybridDecoder(width);
                idDecoder.reset(b, b.remaining());
            }
            case RLE -> {
                if (type != PrimitiveTypeName.BOOLEAN) {
                    throw new IllegalStateException("column " + name + ": RLE values for " + type);
                }
                int length = b.getInt();
                idDecoder = new HybridDecoder(1);
                idDecoder.reset(b, length);
            }
            case DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY -> {
                if (type != PrimitiveTypeName.BINARY) {
                    throw new IllegalStateException("column " + name + ": " + encoding + " values for " + type);
                }
                unpackByteArrays(b, encoding == Encoding.DELTA_BYTE_ARRAY);
            }
            case DELTA_BINARY_PACKED -> {
                if (type != PrimitiveTypeName.INT32 && type != PrimitiveTypeName.INT64) {
                    throw new IllegalStateException("column " + name + ": DELTA_BINARY_PACKED values for " + type);
                }
                unpackDeltas(b);
            }
            default -> throw new IllegalStateException("column " + name + ": value encoding " + encoding
                    + " is not supported");
        }
    }

    /**
     * Decodes a whole DELTA_BINARY_PACKED page up front (parquet-format Encodings.md): a header (block size, miniblocks
     * per block, value count, first value), then blocks of a min delta, one bit width per miniblock, and the
     * miniblocks' bit-packed deltas above the min. Sums wrap in 64 bits; INT32 values are truncated when read.
     */
    private void unpackDeltas(ByteBuffer b) {
        unpacked = readDeltaBinaryPacked(b, unpacked);
        unpackedCount = deltaCount;
        unpackedPos = 0;
    }

    /** Decodes one DELTA_BINARY_PACKED run at {@code b}'s position into {@code out} (or a larger array it returns). */
    private long[] readDeltaBinaryPacked(ByteBuffer b, long[] out) {
        int blockSize = (int) uleb(b);
        int miniblocks = (int) uleb(b);
        long total = uleb(b);
        if (blockSize <= 0 || blockSize % 128 != 0 || miniblocks <= 0 || blockSize % miniblocks != 0
                || (blockSize / miniblocks) % 32 != 0 || total > pageLeft) {
            throw new IllegalStateException("column " + name + ": bad DELTA_BINARY_PACKED header (block " + blockSize
                    + ", miniblocks " + miniblocks + ", values " + total + ")");
        }
        int n = (int) total;
        if (out == null || out.length < n) {
            out = new long[Math.max(n, 1024)];
        }
        int perMiniblock = blockSize / miniblocks;
        long value = zigzag(uleb(b));
        int count = 0;
        if (n > 0) {
            out[count++] = value;
        }
        byte[] widths = new byte[miniblocks];
        while (count < n) {
            long minDelta = zigzag(uleb(b));
            b.get(widths);
            for (int m = 0; m < miniblocks && count < n; m++) {
                int width = widths[m] & 0xff;
                if (width > 64) {
                    throw new IllegalStateException("column " + name + ": delta bit width " + width);
                }
                int base = b.position();
                for (int j = 0; j < perMiniblock && count < n; j++) {
                    value += minDelta + bits(b, base, (long) j * width, width);
                    out[count++] = value;
                }
                b.position(base + perMiniblock / 8 * width);
            }
        }
        deltaCount = n;
        return out;
    }

    /**
     * Decodes a whole DELTA_LENGTH_BYTE_ARRAY page (lengths as DELTA_BINARY_PACKED, then the bytes back to back) or,
     * with {@code prefixed}, a DELTA_BYTE_ARRAY page (prefix lengths shared with the previous value, then the
     * suffixes in DELTA_LENGTH_BYTE_ARRAY form) into {@link #pageBytes}.
     */
    private void unpackByteArrays(ByteBuffer b, boolean prefixed) {
        long[] prefixes = null;
        int n = -1;
        if (prefixed) {
            prefixes = prefixScratch = readDeltaBinaryPacked(b, prefixScratch);
            n = deltaCount;
        }
        long[] lengths = lengthScratch = readDeltaBinaryPacked(b, lengthScratch);
        if (n >= 0 && deltaCount != n) {
            throw new IllegalStateException("column " + name + ": " + n + " prefixes but " + deltaCount + " suffixes");
        }
        n = deltaCount;
        if (byteStarts == null || byteStarts.length < n) {
            byteStarts = new int[Math.max(n, 1024)];
            byteLengths = new int[Math.max(n, 1024)];
        }
        int used = 0;
        for (int i = 0; i < n; i++) {
            long suffix = lengths[i];
            long prefix = prefixed ? prefixes[i] : 0;
            if (suffix < 0 || suffix > b.remaining() || prefix < 0
                    || (i == 0 ? prefix > 0 : prefix > byteLengths[i - 1])) {
                throw new IllegalStateException("column " + name + ": byte array value " + i + " (prefix " + prefix
                        + ", length " + suffix + ") does not fit the page");
            }
            int length = (int) (prefix + suffix);
            if (pageBytes == null || pageBytes.length - used < length) {
                pageBytes = Arrays.copyOf(pageBytes == null ? new byte[0] : pageBytes,
                        Math.max(64 * 1024, Math.max(2 * used, used + length)));
            }
            if (prefix > 0) {
                System.arraycopy(pageBytes, byteStarts[i - 1], pageBytes, used, (int) prefix);
            }
            b.get(pageBytes, used + (int) prefix, (int) suffix);
            byteStarts[i] = used;
            byteLengths[i] = length;
            used += length;
        }
        byteCount = n;
        bytePos = 0;
    }

    /** {@code width} bits starting {@code bitOffset} bits after byte {@code base}, least significant bit first. */
    private static long bits(ByteBuffer b, int base, long bitOffset, int width) {
        if (width == 0) {
            return 0;
        }
        int at = base + (int) (bitOffset >>> 3);
        int shift = (int) (bitOffset & 7);
        int bytes = (shift + width + 7) >>> 3;
        long v = 0;
        for (int k = 0; k < bytes; k++) {
            long octet = b.get(at + k) & 0xffL;
            int to = k * 8 - shift;
            if (to < 0) {
                v |= octet >>> -to;
            } else if (to < 64) {
                v |= octet << to;
            }
        }
        return width == 64 ? v : v & ((1L << width) - 1);
    }

    private static long uleb(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int octet = b.get() & 0xff;
            v |= (long) (octet & 0x7f) << shift;
            if ((octet & 0x80) == 0) {
                return v;
            }
        }
        throw new IllegalStateException("varint longer than 64 bits");
    }

    private static long zigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    /** A page's bytes on the heap: its own buffer when already there, else a copy; heap buffers need no release. */
    private static ByteBuffer bytes(org.apache.parquet.bytes.BytesInput in) {
        return in.toByteBuffer(HEAP, b -> { }).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
}
