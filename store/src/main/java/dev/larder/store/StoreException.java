package dev.larder.store;

/** An unchecked failure of the store (I/O, validation, misuse) with a message meant for the operator. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
