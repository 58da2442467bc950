package dev.larder.ingest;

/**
 * Text a remote service chose (a catalog's error message, an HTML error page, a field of its answer), made safe to
 * print: one line, control and bidirectional-formatting characters escaped as {@code \n}, {@code \\u001b} and the
 * like, at most {@value #MAX_CHARS} characters followed by how many were left off; stateless. Without it a hostile
 * answer could move the cursor and forge lines of Larder's own output, or flood the terminal.
 */
public final class RemoteText {
    /** Characters kept of a remote text; a catalog's real error messages are far shorter. */
    public static final int MAX_CHARS = 300;

    private RemoteText() {
    }

    /** {@code text} on one line, escaped and bounded; "" for null. */
    public static String of(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 16);
        int i = 0;
        for (; i < text.length() && sb.length() < MAX_CHARS; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                            || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return i < text.length() ? sb + "…(" + (text.length() - i) + " more)" : sb.toString();
    }
}
