#!/usr/bin/env bash
# Celery 5 (prefork, acks_late) on the same RabbitMQ as the scheduler, for issue 16's 1 MiB comparison:
# CONCURRENCY worker processes (default 10), then bench.py (20 s of 1 MiB tasks, at most 300 unfinished).
# Needs Debian's python3-celery (apt-get install python3-celery); runs /usr/bin/python3, which has it.
#
#   deploy/celery-bench/run.sh                     one run
#   RUNS=3 deploy/celery-bench/run.sh              three runs with the same workers
#   DURATION_SECONDS=20 MAX_OUTSTANDING=300 PAYLOAD_BYTES=1048576 CONCURRENCY=10 CELERY_BROKER=amqp://... deploy/celery-bench/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python=/usr/bin/python3
log="${TMPDIR:-/tmp}/celery-bench-worker.$$.log"
cd "$here"
"$python" -m celery -A celeryapp purge -f -Q "${CELERY_QUEUE:-celery-bench}" >/dev/null 2>&1 || true
"$python" -m celery -A celeryapp worker --pool=prefork --concurrency="${CONCURRENCY:-10}" --loglevel=WARNING >"$log" 2>&1 &
worker=$!
trap 'kill -TERM $worker 2>/dev/null; wait $worker 2>/dev/null; rm -f "$log"' EXIT
until "$python" -m celery -A celeryapp inspect ping >/dev/null 2>&1; do sleep 0.5; done
DURATION_SECONDS=5 "$python" bench.py >/dev/null 2>&1 || true   # warm-up, as the scheduler's systems are warmed up
for _ in $(seq 1 "${RUNS:-1}"); do
  echo "load average $(cut -d' ' -f1 /proc/loadavg)"
  "$python" bench.py
done
