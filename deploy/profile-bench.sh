#!/usr/bin/env bash
# Where the CPU goes in issue 16's target-1 and target-3 runs (docs/benchmarks.md, "What stops targets 1 to 3"):
# a scheduler and WORKERS (default 10) worker processes of capacity 10 from the binaries of BUILD (a checkout built
# with dotnet build -c Release; this one by default), a 20,000-task warm-up, then
#   target 1: tasks bench --duration DURATION (30s) --run-time 0ms              (closed loop, one task per message)
#   target 3: tasks bench --duration 20s --rate RATE --run-time 0ms             (open loop; RATE defaults to half
#                                                                                of target 1's completed rate)
# each with the CPU seconds every process took during the run (/proc/PID/stat: the scheduler, each worker, the
# broker's beam.smp, the bench client, and the rest of the machine), per 1,000 tasks and as a share of the cores,
# and the scheduler's stage latencies. With TRACE=1 (default) perf samples the scheduler's CPU for 15 s of each run
# (the scheduler runs with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 so that JIT-compiled frames
# have names; without perf,
# dotnet-trace's thread-time samples), summarised by thread and by function in .run/PREFIX/.
# A run's CPU is counted until the scheduler has settled after it (deploy/lib/cpu-profile.py): the journal writes task
# documents behind the loop, and what a burst left to write belongs to that run, not to the next.
# The runs skip the broker ceiling and the management counters, so the CPU measured is the run's alone.
# The broker is shared: its CPU includes whatever else uses it meanwhile. Files in .run/PREFIX/.
#
#   deploy/profile-bench.sh
#   perf report -i .run/profile/target-1.perf.data --children --sort sym --stdio -g none    # the whole call tree's shares
#   SCHEDULER_ARGS="--Events:States=completed,failed,cancelled,rejected" deploy/profile-bench.sh
#   SCHEDULER_ENV="DOTNET_gcServer=0" TRACE=0 WARMUP=5000 DURATION=20s RATE=250 deploy/profile-bench.sh
#   BUILD=../other-checkout PREFIX=other SCHEDULER_URL=http://127.0.0.1:5190 RATE=700 deploy/profile-bench.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${BUILD:-$root}" && pwd)"
prefix="${PREFIX:-profile}"
url="${SCHEDULER_URL:-http://127.0.0.1:5189}"
workers="${WORKERS:-10}"
duration="${DURATION:-30s}"
trace_seconds=0
if [ "${TRACE:-1}" = 1 ]; then trace_seconds=15; fi
run="$root/.run/$prefix"
rm -rf "$run" && mkdir -p "$run/bin"
for part in Scheduler Worker Cli; do cp -r "$build/$part/bin/Release/net10.0" "$run/bin/$part"; done
PATH="$PATH:$HOME/.dotnet/tools"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# shellcheck disable=SC2086 # SCHEDULER_ARGS is a list of arguments
# shellcheck disable=SC2086 # SCHEDULER_ENV is a list of NAME=VALUE
env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ${SCHEDULER_ENV:-} dotnet "$run/bin/Scheduler/TaskScheduler.Scheduler.dll" --urls "$url" --Journal:Path="$run/journal.db" \
  --Broker:Prefix="$prefix" ${SCHEDULER_ARGS:-} >"$run/scheduler.log" 2>&1 &
pids+=($!)
processes="scheduler=$!"
for i in $(seq 1 "$workers"); do
  dotnet "$run/bin/Worker/TaskScheduler.Worker.dll" --Broker:Prefix="$prefix" --Worker:Id="worker-$i" \
    --Worker:Capacity=10 --Worker:FailureRate=0 >"$run/worker-$i.log" 2>&1 &
  pids+=($!)
  processes="$processes,worker-$i=$!"
done
beam=$(pgrep -x beam.smp | head -1 || true)
if [ -n "$beam" ]; then processes="$processes,broker (beam.smp)=$beam"; fi
until [ "$(curl -fsS "$url/api/workers" 2>/dev/null | grep -o '"id"' | wc -l)" -ge "$workers" ]; do sleep 0.5; done

tasks=(dotnet "$run/bin/Cli/tasks.dll" --prefix "$prefix" --scheduler "$url")
"${tasks[@]}" bench --tasks "${WARMUP:-20000}" --run-time 0ms --ceiling 0 --management off >"$run/warm-up.txt"
# The warm-up's documents are written behind the loop: wait until the scheduler is idle (under 5% of a core for a
# second) so that none of that work is counted in target 1.
scheduler_pid="${processes#scheduler=}"; scheduler_pid="${scheduler_pid%%,*}"
last=$(awk '{print $14 + $15}' "/proc/$scheduler_pid/stat")
for _ in $(seq 120); do
  sleep 1
  now=$(awk '{print $14 + $15}' "/proc/$scheduler_pid/stat")
  [ $((now - last)) -lt 5 ] && break
  last=$now
done
echo "profile: build $(git -C "$build" rev-parse --short HEAD), $workers worker processes x 10 slots, ${SCHEDULER_ARGS:-}${SCHEDULER_ENV:-}"

profile() { python3 "$root/deploy/lib/cpu-profile.py" "$1" "$run" "$trace_seconds" "$processes" -- "${@:2}"; }
# Summaries only: a pipeline cut short by head must not stop the script.
report() {
  set +o pipefail
  local at="$run/$1"
  if [ -f "$at.perf.data" ]; then
    perf report -i "$at.perf.data" --no-children --sort comm --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15 >"$at.threads.txt"
    perf report -i "$at.perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 >"$at.self.txt"
    perf report -i "$at.perf.data" --children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -80 >"$at.inclusive.txt"
    echo "  scheduler CPU samples by thread:"; sed 's/^/    /' "$at.threads.txt" | head -8
    echo "  by function (self; inclusive in $at.inclusive.txt):"; sed 's/^/    /' "$at.self.txt" | head -20
  elif [ -f "$at.scheduler.nettrace" ]; then
    dotnet-trace report "$at.scheduler.nettrace" topN -n 40 --inclusive >"$at.inclusive.txt" 2>&1 || true
    echo "  scheduler thread samples: $at.inclusive.txt"
  fi
  set -o pipefail
}

profile target-1 "${tasks[@]}" bench --duration "$duration" --run-time 0ms --ceiling 0 --management off --json ${BENCH_ARGS:-}
report target-1
rate="${RATE:-$(python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['throughput']['completedPerSecond'] / 2))" "$run/target-1.json")}"
profile target-3 "${tasks[@]}" bench --duration 20s --rate "$rate" --run-time 0ms --ceiling 0 --management off --json ${BENCH_ARGS:-}
report target-3
