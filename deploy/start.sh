#!/usr/bin/env bash
# Starts the whole system on this machine: a local RabbitMQ (installed with apt-get when missing), the scheduler
# and three workers. Runs in the foreground; Ctrl+C stops the scheduler and workers (the broker keeps running).
# Logs and the journal live in .run/ at the repository root.
#
#   deploy/start.sh                       three workers with their default settings
#   WORKERS=5 deploy/start.sh             five workers
#   deploy/start.sh --Worker:Capacity=10  extra arguments go to every worker
#   WORKERS=1 deploy/start.sh --Worker:Nodes=100   one process hosting 100 worker nodes
#
# Beside a system already running on this machine (a benchmark, say), choose another prefix and port:
#   PREFIX=mine SCHEDULER_URLS=http://127.0.0.1:5181 deploy/start.sh
# SCHEDULER_ARGS adds arguments to the scheduler; BROKER_URL uses a broker you run yourself (deploy/broker.sh
# is then skipped).
#
# Started in the background (deploy/start.sh &), it ignores SIGINT: a non-interactive shell starts background jobs
# with SIGINT ignored, and a script cannot trap a signal ignored on entry. Stop it with SIGTERM (kill %1), which
# drains and stops everything as Ctrl+C does, and exits 0.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
workers="${WORKERS:-3}"
urls="${SCHEDULER_URLS:-http://127.0.0.1:5080}"
prefix="${PREFIX:-tasks}"
broker_url="${BROKER_URL:-amqp://guest:guest@127.0.0.1:5672/}"
# Each prefix keeps its own journal and logs.
run_dir="$root/.run"
if [ "$prefix" != "tasks" ]; then run_dir="$root/.run/$prefix"; fi

if [ -z "${BROKER_URL:-}" ]; then "$root/deploy/broker.sh"; fi

echo "start: building (Release)" >&2
dotnet build "$root/TaskScheduler.sln" -c Release -nologo -v quiet >/dev/null

mkdir -p "$run_dir"
bin() { echo "$root/$1/bin/Release/net10.0/$2"; }

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "start: stopping scheduler and workers (workers drain first)" >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
# A stop asked for (Ctrl+C, SIGTERM) ends here, a normal stop: without the exit, the script would carry on after
# its interrupted wait and report that a process exited.
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

# shellcheck disable=SC2086 # SCHEDULER_ARGS is a list of arguments
dotnet "$(bin Scheduler TaskScheduler.Scheduler.dll)" --urls "$urls" --Journal:Path="$run_dir/journal.db" \
  --Broker:Url="$broker_url" --Broker:Prefix="$prefix" ${SCHEDULER_ARGS:-} >"$run_dir/scheduler.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 60); do
  curl -fsS "$urls/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$urls/health" >/dev/null || { echo "start: the scheduler did not come up; see $run_dir/scheduler.log" >&2; exit 1; }

for i in $(seq 1 "$workers"); do
  dotnet "$(bin Worker TaskScheduler.Worker.dll)" --Broker:Url="$broker_url" --Broker:Prefix="$prefix" --Worker:Id="worker-$i" "$@" \
    >"$run_dir/worker-$i.log" 2>&1 &
  pids+=($!)
done

cat <<INFO

TaskScheduler is running:
  dashboard           $urls/   (open it in a browser: workers, queue, throughput, latency, failures, submit)
  metrics             $urls/metrics   (Prometheus format)
  scheduler API       $urls   (GET /api/workers, GET /api/tasks/{id}, POST /api/tasks)
  RabbitMQ console    http://127.0.0.1:15672   (guest / guest)
  broker prefix       $prefix
  workers             $workers processes, logs in ${run_dir#"$root/"}/

Try it from another terminal:
  dotnet run --project Cli -- --prefix $prefix --scheduler $urls submit "hello" --priority 5 --wait
  dotnet run --project Cli -- --prefix $prefix --scheduler $urls workers
  dotnet run --project Cli -- --prefix $prefix --scheduler $urls top

Ctrl+C stops the scheduler and the workers.
INFO

wait -n "${pids[@]}" || true
echo "start: a process exited on its own; see the logs in $run_dir" >&2
exit 1
