package io.postwire.bus;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;

/**
 * Creates Postwire's topics at start-up when they are missing, so a fresh broker works without
 * a manual step. Existing topics are left as they are: their owner may have tuned them.
 */
@Singleton
public class TopicInitializer {

    private static final Logger LOG = Logger.getLogger(TopicInitializer.class);

    private final KafkaClients clients;

    TopicInitializer(KafkaClients clients) {
        this.clients = clients;
    }

    // Runs before the consumers start (they observe StartupEvent with a later priority).
    void onStart(@Observes @jakarta.annotation.Priority(10) StartupEvent event) throws Exception {
        KafkaSettings settings = clients.settings();
        if (!settings.createTopics()) {
            return;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, clients.bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.all(settings.partitions()).stream()
                    .filter(d -> !existing.contains(d.name()))
                    .map(d -> new NewTopic(d.name(), d.partitions(), settings.replicationFactor()).configs(d.configs()))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
            } catch (ExecutionException e) {
                // Another replica may have created them first; that is fine.
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + clients.bootstrapServers() + " did not answer in 30 s", e);
        }
    }
}
