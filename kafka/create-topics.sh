#!/bin/sh
# Creates Postwire's topics with the settings of io.postwire.bus.Topics (see topics.yaml),
# for clusters where POSTWIRE_KAFKA_CREATE_TOPICS=false. Existing topics are left as they are.
#
# usage: create-topics.sh BOOTSTRAP_SERVERS [PARTITIONS] [REPLICATION_FACTOR]
#   PARTITIONS          defaults to 6; use the value of postwire.kafka.partitions
#   REPLICATION_FACTOR  defaults to 1; use 3 in production
# environment:
#   KAFKA_TOPICS        the kafka-topics command (default: kafka-topics.sh on PATH)
#   KAFKA_CLIENT_CONFIG optional --command-config file (TLS/SASL settings)
#   MIN_INSYNC_REPLICAS optional; sets min.insync.replicas on every topic (2 with RF 3)
set -eu

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
    echo "usage: $0 BOOTSTRAP_SERVERS [PARTITIONS] [REPLICATION_FACTOR]" >&2
    exit 2
fi
bootstrap=$1
partitions=${2:-6}
replication=${3:-1}
kafka_topics=${KAFKA_TOPICS:-kafka-topics.sh}

case $partitions in ''|*[!0-9]*|0) echo "PARTITIONS must be a positive integer" >&2; exit 2;; esac
case $replication in ''|*[!0-9]*|0) echo "REPLICATION_FACTOR must be a positive integer" >&2; exit 2;; esac

create() { # name partitions retention.ms [max.message.bytes]
    extra=""
    if [ -n "${4:-}" ]; then
        extra="--config max.message.bytes=$4"
    fi
    if [ -n "${MIN_INSYNC_REPLICAS:-}" ]; then
        extra="$extra --config min.insync.replicas=$MIN_INSYNC_REPLICAS"
    fi
    if [ -n "${KAFKA_CLIENT_CONFIG:-}" ]; then
        extra="$extra --command-config $KAFKA_CLIENT_CONFIG"
    fi
    # shellcheck disable=SC2086 # $extra is split on purpose
    "$kafka_topics" --bootstrap-server "$bootstrap" --create --if-not-exists \
        --topic "$1" --partitions "$2" --replication-factor "$replication" \
        --config "retention.ms=$3" $extra
}

# Send, retry and DLQ records carry message content: 8 MiB, as io.postwire.bus.Topics sets.
create postwire.send.v1   "$partitions" 604800000  8388608  # 7 days
create postwire.events.v1 "$partitions" -1                  # forever: projections replay it
create postwire.retry.v1  "$partitions" 604800000  8388608  # 7 days; waits under a minute
create postwire.retry.15m.v1 "$partitions" 604800000 8388608  # waits from 1 to 15 minutes
create postwire.retry.2h.v1  "$partitions" 604800000 8388608  # waits from 15 minutes to 2 hours
create postwire.retry.long.v1 "$partitions" 604800000 8388608 # waits of 2 hours or more
create postwire.sites.v1  "$partitions" 2592000000         # 30 days: site throttles and suspensions
create postwire.dlq.v1    1             2592000000 8388608  # 30 days, always one partition

"$kafka_topics" --bootstrap-server "$bootstrap" --describe \
    ${KAFKA_CLIENT_CONFIG:+--command-config "$KAFKA_CLIENT_CONFIG"} \
    --topic 'postwire\..*'
