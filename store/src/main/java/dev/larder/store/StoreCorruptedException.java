package dev.larder.store;

import java.nio.file.Path;

/** A store file failed validation on open; the message names the file and what is wrong with it. */
public final class StoreCorruptedException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** Path is not serializable; a deserialized copy still names the file in its message. */
    private final transient Path file;

    public StoreCorruptedException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
