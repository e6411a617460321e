#!/usr/bin/env bash
# Assignment delay during a large expiry: EXPIRING tasks (default 100,000) are run to completion under a retention of
# an hour, then the scheduler is restarted with a retention of one second, so that all of them fall due at once; while
# expiry deletes them in slices, an open-loop bench submits new tasks and reports submit-to-start. The same bench
# runs again once expiry is over, for the comparison. Loopback only, on a system of its own (prefix "expiry").
#
#   deploy/expiry-bench.sh                      100,000 expiring, benches of 30 s at 100 tasks/s
#   EXPIRING=20000 RATE=50 DURATION_SECONDS=20 deploy/expiry-bench.sh
#
# Output: the two bench reports and the expired counter over time, in .run/expiry/expiry.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
expiring="${EXPIRING:-100000}"
rate="${RATE:-100}"
duration_s="${DURATION_SECONDS:-30}"
prefix="${PREFIX:-expiry}"
url="${SCHEDULER_URL:-http://127.0.0.1:5187}"
# shellcheck source=lib/own-system.sh
. "$root/deploy/lib/own-system.sh"
log="$run/expiry.log"

expired() { curl -fsS "$url/metrics" | awk '/^taskscheduler_tasks_expired_total/ {print $2}'; }
start_scheduler() { launch_scheduler "$1"; until_ready; }

start_workers
start_scheduler 01:00:00
echo "expiry: running $expiring tasks to completion under a retention of an hour" | tee "$log"
tasks bench --tasks "$expiring" --run-time 0ms --ceiling 0 --timeout 30m >/dev/null

kill -TERM "$scheduler_pid"; wait "$scheduler_pid" || true
start_scheduler 00:00:01
echo "expiry: restarted with a retention of 1 s at $(date -u +%T): $(expired) expired so far" | tee -a "$log"
( while true; do echo "$(date -u +%T) expired $(expired)" >>"$log"; sleep 2; done ) &
helper_pid=$!
echo "--- bench during the expiry ---" | tee -a "$log"
tasks bench --duration "${duration_s}s" --rate "$rate" --run-time 0ms --ceiling 0 | tee -a "$log"
echo "expiry: bench over at $(date -u +%T): $(expired) of $expiring expired" | tee -a "$log"
# The bench's own tasks expire after their second too.
until [ "$(expired)" -ge $((expiring + rate * duration_s)) ]; do sleep 1; done
kill "$helper_pid"; helper_pid=""
echo "expiry: all $expiring expired at $(date -u +%T)" | tee -a "$log"
echo "--- bench after the expiry ---" | tee -a "$log"
tasks bench --duration "${duration_s}s" --rate "$rate" --run-time 0ms --ceiling 0 | tee -a "$log"
