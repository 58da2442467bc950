package dev.larder.ingest;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in text Larder prints, logs or writes: the user info of URIs ({@code s3a://KEY:SECRET@bucket/x} reads
 * {@code s3a://***@bucket/x}) and the values of settings whose names look secret ({@code fs.s3a.secret.key=V} reads
 * {@code fs.s3a.secret.key=***}). Stateless and thread-safe; meant for error and status paths, not per-row work.
 *
 * <p>An Azure URI's user info is its container ({@code abfss://container@account.dfs.core.windows.net/t}); it is kept
 * unless it carries a password. Any other URI's user info is a credential and is hidden whole.
 */
public final class Redaction {
    /** What a hidden secret reads as. */
    public static final String MASK = "***";

    /** Parts of setting names that mark their values as secret (fs.s3a.secret.key, fs.azure.sas.token...). */
    private static final Pattern SECRET_NAME = Pattern.compile("secret|token|password|passwd|key",
            Pattern.CASE_INSENSITIVE);

    /**
     * NAME=VALUE or NAME:VALUE, NAME optionally quoted, VALUE quoted (to its closing quote, or the line's end) or bare;
     * a separator followed by a space ({@code key: id}) is prose, and {@code scheme://} a URI. A NAME may follow '-'
     * ({@code -Dfs.s3a.secret.key=V}, {@code --fs.azure.sas.token=V}).
     */
    private static final Pattern SETTING = Pattern.compile("(?<![\\w.])([A-Za-z_][\\w.\\-]*)(\"?(?:=|:(?!//)))"
            + "(?:\"((?:[^\"\\\\\\r\\n]|\\\\.)*)\"?|'([^'\\r\\n]*)'?|([^\\s\"',;&<>`]+))");

    /**
     * How what follows a file name in FILE:LINE: or FILE:LINE:COLUMN starts (e.g. of a definition file called
     * api-keys.yaml, or {@code (TokenCache.java:88)} in a stack trace).
     */
    private static final Pattern FILE_LINE = Pattern.compile("\\d+(:\\d+)?(?!\\w)");

    /** Names of files whose FILE:LINE locations Larder and the JVM print (definitions, settings, sources). */
    private static final Pattern FILE_NAME = Pattern.compile(
            ".*\\.(ya?ml|json|properties|conf|toml|xml|txt|java|kt|scala|csv|log)", Pattern.CASE_INSENSITIVE);

    /** Larder's own command-line options whose names look secret; their values are key columns or variable names. */
    private static final Set<String> OPTIONS = Set.of("key", "keys", "uc-token-env");

    /** Schemes whose user info names a container, not a user. */
    private static final Set<String> CONTAINER_SCHEMES = Set.of("abfs", "abfss", "wasb", "wasbs");

    private Redaction() {
    }

    /** Whether a setting called {@code name} holds a secret (its name contains secret, token, password, key...). */
    public static boolean isSecretName(String name) {
        return name != null && SECRET_NAME.matcher(name).find();
    }

    /** {@code value}, or {@link #MASK} when the setting {@code name} holds a secret. */
    public static String setting(String name, String value) {
        return isSecretName(name) ? MASK : value;
    }

    /** Whether {@code text} holds a URI whose user info {@link #uris} hides, i.e. credentials (or their mask). */
    public static boolean hasCredentials(String text) {
        return text != null && redactUris(text, null) != null;
    }

    /** {@code text} with the credentials in the user info of every URI in it replaced by {@link #MASK}. */
    public static String uris(String text) {
        if (text == null || !text.contains("://")) {
            return text;
        }
        String redacted = redactUris(text, new StringBuilder(text.length()));
        return redacted == null ? text : redacted;
    }

    /**
     * {@code text} with every URI's credentials masked, built in {@code out}; null if it has none. A null {@code out}
     * asks only whether it has any: then the answer is {@code text} or null.
     */
    private static String redactUris(String text, StringBuilder out) {
        int copied = -1;
        for (int sep = text.indexOf("://"); sep >= 0; sep = text.indexOf("://", sep + 3)) {
            int start = sep + 3;
            if (start < copied) {
                continue;
            }
            int end = start;
            while (end < text.length() && !endsToken(text.charAt(end))) {
                end++;
            }
            int at = userInfoEnd(text.substring(start, end));
            if (at > 0 && isCredential(scheme(text, sep), text.substring(start, start + at))) {
                if (out == null) {
                    return text;
                }
                out.append(text, Math.max(copied, 0), start).append(MASK);
                copied = start + at;
            }
        }
        return copied < 0 ? null : out.append(text, copied, text.length()).toString();
    }

    /**
     * {@link #uris} of {@code text}, with the value of every NAME=VALUE or NAME:VALUE whose name
     * {@linkplain #isSecretName looks secret} replaced by {@link #MASK}: for free text such as an exception's message.
     * A bare {@code key=} is a table's key columns in Larder's own text ({@code FeatureSchema[...; key=id]}) and is
     * kept.
     */
    public static String text(String text) {
        String t = uris(text);
        if (t == null || (t.indexOf('=') < 0 && t.indexOf(':') < 0)) {
            return t;
        }
        Matcher m = SETTING.matcher(t);
        StringBuilder out = new StringBuilder(t.length());
        int copied = 0;
        while (m.find()) {
            int value = m.group(3) != null ? 3 : m.group(4) != null ? 4 : 5;
            if (hides(t, m, value)) {
                out.append(t, copied, m.start(value)).append(MASK);
                copied = m.end(value);
            }
        }
        return copied == 0 ? t : out.append(t, copied, t.length()).toString();
    }

    /**
     * Whether the value (group {@code value}) of the setting {@code m} found in {@code t} is a secret: its name looks
     * secret, and it is none of a bare {@code key} (a table's key columns), one of Larder's own options
     * ({@code --keys=a,b}), a FILE:LINE location of a file ({@code /etc/larder/api-keys.yaml:3:}), or an empty or
     * already masked value.
     */
    private static boolean hides(String t, Matcher m, int value) {
        String name = m.group(1);
        String v = m.group(value);
        if (!isSecretName(name) || name.equalsIgnoreCase("key") || v.isEmpty() || v.startsWith(MASK)) {
            return false;
        }
        int start = m.start(1);
        if (start >= 2 && t.startsWith("--", start - 2) && OPTIONS.contains(name.toLowerCase(Locale.ROOT))) {
            return false;
        }
        boolean path = start > 0 && (t.charAt(start - 1) == '/' || t.charAt(start - 1) == '\\')
                || FILE_NAME.matcher(name).matches();
        return !(path && value == 5 && m.group(2).equals(":") && FILE_LINE.matcher(v).lookingAt());
    }

    /**
     * Where the user info of the authority {@code rest} (what follows "://") ends: its last '@' before the path. When
     * the part before the path has a colon followed by more than a port, a '/' belongs to the secret (an unencoded AWS
     * secret key) and the user info runs to the last '@' of the token. -1 if there is none.
     */
    private static int userInfoEnd(String rest) {
        int path = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                path = i;
                break;
            }
        }
        int at = rest.lastIndexOf('@', path - 1);
        if (at >= 0) {
            return at;
        }
        int colon = rest.indexOf(':');
        return colon >= 0 && colon < path && !isPort(rest.substring(colon + 1, path)) ? rest.lastIndexOf('@') : -1;
    }

    private static boolean isPort(String s) {
        return s.chars().allMatch(Character::isDigit);
    }

    private static boolean isCredential(String scheme, String userInfo) {
        return userInfo.indexOf(':') >= 0 || !CONTAINER_SCHEMES.contains(scheme);
    }

    /** The scheme before the "://" at {@code sep}, lower case. */
    private static String scheme(String text, int sep) {
        int s = sep;
        while (s > 0 && isSchemeChar(text.charAt(s - 1))) {
            s--;
        }
        return text.substring(s, sep).toLowerCase(Locale.ROOT);
    }

    private static boolean isSchemeChar(char c) {
        return c < 128 && (Character.isLetterOrDigit(c) || c == '+' || c == '.' || c == '-');
    }

    private static boolean endsToken(char c) {
        return Character.isWhitespace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
    }
}
