#!/usr/bin/env bash
# The backlog (issue 16, target 5): TASKS pending tasks (default 1,000,000) accepted by a scheduler with no worker,
# its memory once they are in; then RESTARTS times (default 3): the scheduler stopped and started again on the same
# journal beside a fresh probe worker of capacity 1, the time from its launch to the probe's first assignment, and
# its memory three seconds later. Loopback only, on a system of its own (prefix "backlog"), run from a copy of the
# binaries of BUILD (a checkout built with dotnet build -c Release; this one by default), so two builds compare
# one after the other in one sitting:
#
#   deploy/backlog-bench.sh                                  a million, three restarts
#   TASKS=200000 deploy/backlog-bench.sh                     quicker, for iterating
#   BUILD=../other-checkout PREFIX=backlog-a deploy/backlog-bench.sh
#   FILL=0 deploy/backlog-bench.sh                           restarts only, on the backlog the last run left
#   BATCH=100 RESTARTS=0 deploy/backlog-bench.sh             fill only, 100 tasks to a submit-batch message (a build with --batch)
#   SCHEDULER_ENV="DOTNET_gcServer=1 DOTNET_gcConcurrent=1" deploy/backlog-bench.sh   environment for the scheduler alone
#   TASKS=20000 KILL=1 RESTARTS=1 deploy/backlog-bench.sh     a kill -9 right after a burst, instead of a stop: the
#                                                            restart first replays what the journal had not yet written
#
# Each restart also reports when the restore finished reading the backlog: a scheduler that restores in chunks
# dispatches before that.
#
# Output: one line per figure, also in .run/PREFIX/backlog.log; during the fill, every SAMPLE seconds (default 15),
# the pending count and memory go to .run/PREFIX/fill-samples.log, and the largest working set sampled is reported.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${BUILD:-$root}" && pwd)"
count="${TASKS:-1000000}"
restarts="${RESTARTS:-3}"
run_id="$(date +%s)"
prefix="${PREFIX:-backlog}"
url="${SCHEDULER_URL:-http://127.0.0.1:5183}"
run="$root/.run/$prefix"
bin="$run/bin"
fill="${FILL:-1}"
batch="${BATCH:-}"
sample="${SAMPLE:-15}"
if [ "$fill" = 1 ]; then rm -rf "$run"; else rm -rf "$bin"; fi
mkdir -p "$bin"
for part in Scheduler Worker Cli; do cp -r "$build/$part/bin/Release/net10.0" "$bin/$part"; done
log="$run/backlog.log"

scheduler_pid=""
worker_pid=""
sampler_pid=""
cleanup() {
  for pid in $sampler_pid $worker_pid $scheduler_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

say() { echo "backlog: $*" | tee -a "$log"; }
tasks() { dotnet "$bin/Cli/tasks.dll" --prefix "$prefix" --scheduler "$url" "$@"; }
mib() { curl -fsS "$url/api/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['process']['$1'] // 1048576)"; }
launch_scheduler() {
  # shellcheck disable=SC2086
  env ${SCHEDULER_ENV:-} dotnet "$bin/Scheduler/TaskScheduler.Scheduler.dll" --urls "$url" --Journal:Path="$run/journal.db" \
    --Broker:Prefix="$prefix" >>"$run/scheduler.log" 2>&1 &
  scheduler_pid=$!
}
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
load() { cut -d' ' -f1 /proc/loadavg; }
# Seconds since the fill began, pending, working set, GC committed and GC heap (MiB), one line per SAMPLE seconds.
sample_fill() {
  local begun=$1
  while sleep "$sample"; do
    curl -fsS "$url/api/stats" 2>/dev/null | python3 -c "import json,sys; s=json.load(sys.stdin); p=s['process']; m=1048576; \
print($(date +%s) - $begun, s['pending'], p['workingSetBytes'] // m, p['gcCommittedBytes'] // m, p['gcHeapBytes'] // m)" \
      >>"$run/fill-samples.log" || true
  done
}

say "build $(git -C "$build" rev-parse --short HEAD 2>/dev/null || echo "$build"), load average $(load)${SCHEDULER_ENV:+, $SCHEDULER_ENV}"
launch_scheduler
until curl -fsS "$url/health/ready" >/dev/null 2>&1; do sleep 0.1; done
if [ "$fill" = 1 ]; then
  started=$(date +%s%N)
  echo "seconds pending working-set-MiB gc-committed-MiB gc-heap-MiB" >"$run/fill-samples.log"
  sample_fill "$(date +%s)" &
  sampler_pid=$!
  tasks bench --tasks "$count" ${batch:+--batch "$batch"} --accept-only --max-outstanding 50000 --ceiling 0 --timeout 60m >"$run/fill.txt"
  kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; sampler_pid=""
  largest=$(awk 'NR > 1 && $3 > m { m = $3 } END { print m + 0 }' "$run/fill-samples.log")
  say "accepted $count${batch:+ in batches of $batch} in $(( ($(date +%s%N) - started) / 1000000 )) ms; working set $(mib workingSetBytes) MiB, peak $(mib peakWorkingSetBytes) MiB, largest sampled during the fill $largest MiB"
  if [ "${KILL:-0}" != 1 ]; then
    sleep 30
    say "30 s after the fill: working set $(mib workingSetBytes) MiB, GC committed $(mib gcCommittedBytes) MiB (load average $(load))"
  fi
fi

for i in $(seq 1 "$restarts"); do
  if [ "${KILL:-0}" = 1 ]; then
    kill -KILL "$scheduler_pid" 2>/dev/null || true; wait "$scheduler_pid" 2>/dev/null || true
    say "killed (-9) the scheduler"
  else
    stop "$scheduler_pid"
  fi
  # A probe of its own each time: the previous one's task is restored as Running on a worker that is gone.
  dotnet "$bin/Worker/TaskScheduler.Worker.dll" --Broker:Prefix="$prefix" --Worker:Id="probe-$run_id-$i" --Worker:Capacity=1 \
    --Worker:MinRunTime=01:00:00 --Worker:MaxRunTime=01:00:00 >"$run/probe-$i.log" 2>&1 &
  worker_pid=$!
  started=$(date +%s%N)
  launch_scheduler
  elapsed=""; loaded=""; memory=""
  while [ -z "$elapsed" ] || [ -z "$loaded" ]; do
    now=$(( ($(date +%s%N) - started) / 1000000 ))
    if [ -z "$elapsed" ] && curl -fsS "$url/api/workers" 2>/dev/null | grep -q "\"id\":\"probe-$run_id-$i\",\"capacity\":1,\"inFlight\":1"; then
      elapsed=$now
    fi
    if [ -z "$loaded" ] && curl -fsS "$url/api/stats" 2>/dev/null | python3 -c "import json,sys; sys.exit(0 if json.load(sys.stdin).get('restore') is None else 1)" 2>/dev/null; then
      loaded=$now
    fi
    if [ -n "$elapsed" ] && [ -z "$memory" ] && [ "$now" -ge $(( elapsed + 3000 )) ]; then memory=$(mib workingSetBytes); fi
    sleep 0.1
  done
  [ -n "$memory" ] || { sleep 3; memory=$(mib workingSetBytes); }
  sleep 3
  replayed=$(grep -o "Replayed [0-9]* turns" "$run/scheduler.log" | tail -1 || true)
  say "restart $i: first dispatch after $elapsed ms, backlog loaded after $loaded ms; working set 3 s after the first dispatch $memory MiB, 3 s after the backlog loaded $(mib workingSetBytes) MiB (load average $(load))${replayed:+; $replayed}"
  stop "$worker_pid"; worker_pid=""
done
