package io.postwire.bus;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one place Kafka client settings are decided. Values are raw bytes: decoding happens in
 * our code so a malformed record becomes a dead letter instead of a poisoned consumer.
 */
@ApplicationScoped
public class KafkaClients {

    private final String bootstrapServers;
    private final KafkaSettings settings;

    KafkaClients(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, KafkaSettings settings) {
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * acks=all with idempotence: a send is acknowledged only when every in-sync replica has it,
     * and producer retries never duplicate a record.
     */
    Map<String, Object> producerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        // A SendRequested carries its content; see Topics.MAX_MESSAGE_BYTES.
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "postwire-producer");
        return c;
    }

    /**
     * A transactional producer: the same guarantees, plus all-or-nothing groups of records. The
     * id only has to be unique among live producers; nothing relies on fencing an old one.
     */
    Map<String, Object> transactionalProducerConfig(String transactionalId) {
        Map<String, Object> c = producerConfig();
        c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, transactionalId);
        c.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 30_000);
        return c;
    }

    /**
     * A consumer for work that is cheaper in batches (projections: one transaction per poll). The
     * broker holds a fetch until 256 KiB are there or {@code batchWait} has passed, so that a
     * trickle of events does not become a transaction per event.
     */
    public KafkaConsumer<String, byte[]> batchingConsumer(String groupSuffix, int maxPollRecords, Duration batchWait) {
        Map<String, Object> c = consumerConfig(groupSuffix, maxPollRecords);
        c.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 256 * 1024);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) batchWait.toMillis());
        return new KafkaConsumer<>(c);
    }

    /** Offsets are committed by our own code, only after the work for a record is done. */
    public KafkaConsumer<String, byte[]> consumer(String groupSuffix, int maxPollRecords) {
        return new KafkaConsumer<>(consumerConfig(groupSuffix, maxPollRecords));
    }

    private Map<String, Object> consumerConfig(String groupSuffix, int maxPollRecords) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupPrefix() + "-" + groupSuffix);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.groupPrefix() + "-" + groupSuffix);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_MESSAGE_BYTES);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return c;
    }

    public KafkaSettings settings() {
        return settings;
    }
}
