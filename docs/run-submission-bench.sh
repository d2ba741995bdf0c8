#!/usr/bin/env bash
# The submission benchmark of docs/benchmarks.md, on the shared loopback relay harness:
#   smtp-source -> Postwire's submission port -> Kafka -> dispatch -> DKIM -> smtp-sink
# measured in the same run as the reference peer (Postfix + OpenDKIM, peer-postfix.sh).
#   docs/run-submission-bench.sh            # 3 runs of 10,000 x 5 KB, 20 sessions, both MTAs
# Env: BENCH (harness dir, default ../shared/bench), RUNS, N, PROJECTIONS (on|off), PEER (yes|no),
#      WARMUP (messages of the untimed warm-up run, default 3000; 0 = none),
#      RESULTS (JSON lines file). Needs root (the harness installs postfix/opendkim/swaks if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=$(cd "${BENCH:-../shared/bench}" && pwd)
RUNS=${RUNS:-3}
N=${N:-10000}
PROJECTIONS=${PROJECTIONS:-on}
PEER=${PEER:-yes}
RESULTS=${RESULTS:-$PWD/target/bench/submission.jsonl}
PORT=10027
ROOT=$PWD
mkdir -p "$(dirname "$RESULTS")"

if [ "$PEER" = yes ]; then
  (cd "$BENCH" && ./peer-postfix.sh --runs "$RUNS" -n "$N" -s 5K -c 20 --results-file "$RESULTS")
fi

# Postwire on its local platform (real KRaft broker + real PostgreSQL, started by the project),
# relaying everything to the harness's sink on 2526 and accepting 127.0.0.1 without AUTH, as the
# harness requires of every MTA it measures.
export POSTWIRE_RELAY_HOST=127.0.0.1 POSTWIRE_RELAY_PORT=2526 POSTWIRE_RELAY_TLS=off
export POSTWIRE_SUBMISSION_PORT=$PORT POSTWIRE_SUBMISSION_TRUSTED_NETWORKS=127.0.0.1/32
# The harness stops its sink between phases: come back within a second, not Postfix's 5 minutes.
export POSTWIRE_DISPATCH_RETRY_INITIAL=PT1S POSTWIRE_DISPATCH_RETRY_MAX=PT2S
export POSTWIRE_DKIM_SELECTOR=bench
if [ "$PROJECTIONS" = on ]; then export POSTWIRE_PROJECTION_ENABLED=true; else export POSTWIRE_PROJECTION_ENABLED=false; fi
rm -rf target/local/kafka target/local/postgres
./mvnw -o -q -Plocal > target/bench/postwire-local.log 2>&1 &
LOCAL=$!
trap 'kill $LOCAL 2>/dev/null; wait $LOCAL 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  if (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then break; fi
  sleep 1
done
sleep 3
# One untimed warm-up run (not recorded): a long-running JVM service is measured after the JIT has
# compiled its hot paths, as it runs in production; the first run after start is about half speed.
if [ "${WARMUP:-3000}" -gt 0 ]; then
  (cd "$BENCH" && ./relay-bench.sh --target 127.0.0.1:$PORT --sink-port 2526 -n "${WARMUP:-3000}" -s 5K -c 20 \
      --no-dkim --label warm-up -q) || true
fi
for ((run = 1; run <= RUNS; run++)); do
  (cd "$BENCH" && ./relay-bench.sh --target 127.0.0.1:$PORT --sink-port 2526 -n "$N" -s 5K -c 20 \
      --dkim-pubkey-file "$ROOT/target/local/dkim/example.test.txt" --selector bench --domain example.test \
      --label "postwire-projections-$PROJECTIONS" --results-file "$RESULTS")
done
(cd "$BENCH" && ./summarize.py "$RESULTS")
