#!/usr/bin/env bash
# Runs the Kafka -> smtp-sink benchmark matrix of docs/benchmarks.md, interleaved, and appends
# one JSON line per run to RESULTS. Needs /usr/sbin/smtp-sink (postfix) and python3-dkim.
#   docs/run-benchmarks.sh [RUNS] [MESSAGES] [RESULTS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-2}
N=${2:-20000}
RESULTS=${3:-target/bench/kafka-to-sink.jsonl}
./mvnw -o -q -DskipTests package
bench() {
  ./mvnw -o -q org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
    -Dexec.mainClass=io.postwire.bench.KafkaToSinkBench -Dexec.classpathScope=test \
    -Dexec.cleanupDaemonThreads=false -Dexec.args="--results-file $RESULTS $*" || echo "run failed: $*" >&2
}
for ((run = 1; run <= RUNS; run++)); do
  bench --messages "$N" --mode concurrent --projections on
  bench --messages "$N" --mode concurrent --projections off
  bench --messages "$N" --mode preload --projections on
  bench --messages "$N" --mode preload --projections off
done
# latency below saturation: paced at 300 msgs/s
bench --messages 9000 --mode concurrent --projections on --rate 300
