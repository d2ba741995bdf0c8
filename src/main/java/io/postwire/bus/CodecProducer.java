package io.postwire.bus;

import io.postwire.event.EventCodec;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the framework-free {@link EventCodec} injectable; it is immutable and thread-safe. */
class CodecProducer {

    @Produces
    @Singleton
    EventCodec eventCodec() {
        return new EventCodec();
    }
}
