#!/usr/bin/env bash
# Long soak: pushes TASKS tasks (default 1,000,000) through a system of its own with a short retention, and records
# the journal's size and the scheduler's memory over time, and the scheduler's restart time (launch to ready, then
# to the first dispatch) before and after. Everything runs on loopback against the local broker; the figures go to
# docs/benchmarks.md ("Months in minutes").
#
#   deploy/soak.sh                          1,000,000 tasks, retention 60 s, samples every 30 s
#   TASKS=200000 RETENTION_SECONDS=30 deploy/soak.sh
#
# It copies the built binaries first, so a rebuild while it runs does not disturb it. Output: .run/soak/soak.tsv
# (time, tasks completed and expired, journal bytes, working set, the GC's committed memory, managed heap, and the
# process's anonymous resident memory) and .run/soak/soak.log. SCHEDULER_ENV sets runtime settings for an A/B.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
task_count="${TASKS:-1000000}"
retention_s="${RETENTION_SECONDS:-60}"
retention="$(printf '%02d:%02d:%02d' $((retention_s / 3600)) $((retention_s / 60 % 60)) $((retention_s % 60)))"
interval="${INTERVAL:-30}"
prefix="${PREFIX:-soak}"
url="${SCHEDULER_URL:-http://127.0.0.1:5186}"
# shellcheck source=lib/own-system.sh
. "$root/deploy/lib/own-system.sh"
journal="$run/journal.db"
log="$run/soak.log"
# Milliseconds from the scheduler's launch to ready, and to its first assignment (a probe task submitted at launch).
restart_time() {
  local label="$1" start ready="" first=""
  start=$(date +%s%N)
  launch_scheduler "$retention"
  until_ready
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  tasks submit "sim:run=0ms;restart probe" --wait >/dev/null
  first=$(( ($(date +%s%N) - start) / 1000000 ))
  echo "restart $label: ready after $ready ms, a probe task completed $first ms after launch" | tee -a "$log"
}

sample() {
  printf 'utc\tcompleted\texpired\tjournal_bytes\tworking_set_bytes\tgc_committed_bytes\tgc_heap_bytes\trss_anon_bytes\n' >"$run/soak.tsv"
  while true; do
    stats=$(curl -fsS "$url/api/stats" 2>/dev/null || echo '{}')
    metrics=$(curl -fsS "$url/metrics" 2>/dev/null || true)
    completed=$(grep -E '^taskscheduler_tasks_completed_total' <<<"$metrics" | awk '{print $2}' | head -1)
    expired=$(grep -E '^taskscheduler_tasks_expired_total' <<<"$metrics" | awk '{print $2}' | head -1)
    size=$(( $(stat -c %s "$journal" 2>/dev/null || echo 0) + $(stat -c %s "${journal%.db}-log.db" 2>/dev/null || echo 0) ))
    ws=$(grep -oE '"workingSetBytes":[0-9]+' <<<"$stats" | cut -d: -f2)
    heap=$(grep -oE '"gcHeapBytes":[0-9]+' <<<"$stats" | cut -d: -f2)
    committed=$(grep -oE '"gcCommittedBytes":[0-9]+' <<<"$stats" | cut -d: -f2)
    anon=$(awk '/^RssAnon:/ {print $2 * 1024}' "/proc/$scheduler_pid/status" 2>/dev/null || true)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%H:%M:%S)" "${completed:-}" "${expired:-}" "$size" "${ws:-}" \
      "${committed:-}" "${heap:-}" "${anon:-}" >>"$run/soak.tsv"
    sleep "$interval"
  done
}

echo "soak: $task_count tasks, retention $retention, prefix $prefix, $url" | tee "$log"
start_workers
restart_time "on an empty journal"
sample &
helper_pid=$!

tasks bench --tasks "$task_count" --run-time 0ms --ceiling 0 --timeout 30m | tee -a "$log"

# Let the last tasks expire, then one more sample and the restart on the journal the soak left.
sleep "$(( retention_s + 15 ))"
kill -TERM "$helper_pid"; helper_pid=""
kill -TERM "$scheduler_pid"; wait "$scheduler_pid" || true
ls -l "$run"/journal*.db | tee -a "$log"
restart_time "after the soak"
