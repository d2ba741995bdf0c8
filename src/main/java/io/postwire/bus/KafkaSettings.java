package io.postwire.bus;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** How Postwire talks to Kafka beyond {@code kafka.bootstrap.servers}. */
@ConfigMapping(prefix = "postwire.kafka")
public interface KafkaSettings {

    /** Create missing topics at start-up (off when operators manage topics themselves). */
    @WithName("create-topics")
    @WithDefault("true")
    boolean createTopics();

    /** Partitions for newly created topics; the unit of parallelism across replicas. */
    @WithDefault("6")
    int partitions();

    /** Replication factor for newly created topics (3 in production, 1 for a single broker). */
    @WithName("replication-factor")
    @WithDefault("1")
    short replicationFactor();

    /** Prefix of every consumer group id, so two deployments can share a cluster. */
    @WithName("group-prefix")
    @WithDefault("postwire")
    String groupPrefix();
}
