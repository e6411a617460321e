#!/usr/bin/env bash
# 1 MiB payloads (issue 16, target 4): a scheduler and one process of ten worker nodes of capacity 10, from the
# binaries of BUILD (a checkout built with dotnet build -c Release; this one by default), a 5 s warm-up, then RUNS
# (default 3) runs of `tasks bench --duration 20s --payload-bytes 1048576 --max-outstanding 300 --run-time 0ms`, each
# with its own broker ceiling; for each run: completed tasks/s, tasks per one-hop message, and the bytes the scheduler
# process wrote to storage per task (/proc/PID/io write_bytes, the 30 s after the run included). Loopback only, on a
# system of its own (prefix "payload"). Two builds compare by alternating them in one sitting:
#
#   deploy/payload-bench.sh
#   BUILD=../main-checkout RUNS=1 deploy/payload-bench.sh; RUNS=1 deploy/payload-bench.sh   # and again, twice
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${BUILD:-$root}" && pwd)"
prefix="${PREFIX:-payload}"
url="${SCHEDULER_URL:-http://127.0.0.1:5188}"
runs="${RUNS:-3}"
run="$root/.run/$prefix"
rm -rf "$run" && mkdir -p "$run/bin"
for part in Scheduler Worker Cli; do cp -r "$build/$part/bin/Release/net10.0" "$run/bin/$part"; done

scheduler_pid=""
worker_pid=""
cleanup() {
  for pid in $worker_pid $scheduler_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

dotnet "$run/bin/Scheduler/TaskScheduler.Scheduler.dll" --urls "$url" --Journal:Path="$run/journal.db" \
  --Broker:Prefix="$prefix" >"$run/scheduler.log" 2>&1 &
scheduler_pid=$!
dotnet "$run/bin/Worker/TaskScheduler.Worker.dll" --Broker:Prefix="$prefix" --Worker:Id="$prefix" --Worker:Nodes=10 \
  --Worker:Capacity=10 --Worker:FailureRate=0 >"$run/worker.log" 2>&1 &
worker_pid=$!
until curl -fsS "$url/api/workers" 2>/dev/null | grep -q '"id"'; do sleep 0.5; done

tasks() { dotnet "$run/bin/Cli/tasks.dll" --prefix "$prefix" --scheduler "$url" "$@"; }
written() { awk '/^write_bytes/ {print $2}' "/proc/$scheduler_pid/io"; }
tasks bench --duration 5s --payload-bytes 1048576 --max-outstanding 300 --run-time 0ms --ceiling 0 >"$run/warm-up.txt"
echo "payload: build $(git -C "$build" rev-parse --short HEAD)"
for i in $(seq 1 "$runs"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(written)
  tasks bench --duration 20s --payload-bytes 1048576 --max-outstanding 300 --run-time 0ms --json >"$run/run-$i.json"
  sleep 30
  python3 - "$run/run-$i.json" "$(( $(written) - before ))" "$load" <<'PY'
import json, sys
report, written, load = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
done, t = report["tasks"]["completed"], report["throughput"]
print(f"payload: {t['completedPerSecond']} tasks/s completed ({done} tasks), {t['completedToCeiling']} tasks per one-hop "
      f"message (the broker's one hop: {report['ceiling']['oneHopPerSecond']:.0f} messages/s), "
      f"{written / 1048576 / max(done, 1):.2f} MiB written per task by the scheduler, "
      f"scheduler at most {report['schedulerMemory']['peakDuringRunMiB']} MiB, load average {load}")
PY
done
