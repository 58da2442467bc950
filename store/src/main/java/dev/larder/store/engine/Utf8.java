package dev.larder.store.engine;

/** Stateless, thread-safe: allocation-free UTF-8 encoding of CharSequences (String.getBytes allocates). */
public final class Utf8 {
    private Utf8() {
    }

    /** Encodes into {@code dst[off, off+max)}; returns the length, or -1 when it does not fit. */
    public static int encode(CharSequence s, byte[] dst, int off, int max) {
        int at = off;
        int end = off + max;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (at >= end) {
                    return -1;
                }
                dst[at++] = (byte) c;
            } else if (c < 0x800) {
                if (at + 2 > end) {
                    return -1;
                }
                dst[at++] = (byte) (0xC0 | (c >> 6));
                dst[at++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (at + 4 > end) {
                    return -1;
                }
                int cp = Character.toCodePoint(c, s.charAt(++i));
                dst[at++] = (byte) (0xF0 | (cp >> 18));
                dst[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                dst[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                dst[at++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                if (at + 3 > end) {
                    return -1;
                }
                // A lone surrogate becomes '?' like String.getBytes(UTF_8) does, so both encodings agree.
                if (Character.isSurrogate(c)) {
                    dst[at++] = '?';
                    continue;
                }
                dst[at++] = (byte) (0xE0 | (c >> 12));
                dst[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                dst[at++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return at - off;
    }

    public static int encodedLength(CharSequence s) {
        int len = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                len += 1;
            } else if (c < 0x800) {
                len += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                len += 4;
                i++;
            } else {
                len += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return len;
    }
}
