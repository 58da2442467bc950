package dev.larder.jmh.systems;

/**
 * A peer that cannot run on this machine (missing binary, JVM without the flags it needs); the report names the reason.
 */
public final class SystemUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SystemUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
