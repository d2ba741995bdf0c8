package io.postwire.event;

/** A record that cannot be read as an event; its message is the reason written to the DLQ. */
public class MalformedEventException extends RuntimeException {

    public MalformedEventException(String reason, Throwable cause) {
        super(reason, cause);
    }

    public MalformedEventException(String reason) {
        super(reason);
    }
}
