# Sourced by deploy/soak.sh and deploy/expiry-bench.sh (set root, prefix and url first): a system of their own on
# loopback, run from a copy of the built binaries so that a rebuild meanwhile does not disturb it, stopped on exit.
run="$root/.run/$prefix"
bin="$run/bin"
rm -rf "$run" && mkdir -p "$bin"
for part in Scheduler Worker Cli; do cp -r "$root/$part/bin/Release/net10.0" "$bin/$part"; done

scheduler_pid=""
worker_pid=""
helper_pid=""
cleanup() {
  for pid in $helper_pid $worker_pid $scheduler_pid; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

tasks() { dotnet "$bin/Cli/tasks.dll" --prefix "$prefix" --scheduler "$url" "$@"; }

# Ten worker nodes of capacity 10 in one process.
start_workers() {
  dotnet "$bin/Worker/TaskScheduler.Worker.dll" --Broker:Prefix="$prefix" --Worker:Id="$prefix" --Worker:Nodes=10 \
    --Worker:Capacity=10 --Worker:FailureRate=0 >"$run/worker.log" 2>&1 &
  worker_pid=$!
}

# The scheduler on this system's journal, with the retention given (hh:mm:ss); SCHEDULER_ENV adds environment
# variables to the scheduler alone (e.g. SCHEDULER_ENV="DOTNET_gcServer=1" for an A/B of a runtime setting).
launch_scheduler() {
  # shellcheck disable=SC2086
  env ${SCHEDULER_ENV:-} dotnet "$bin/Scheduler/TaskScheduler.Scheduler.dll" --urls "$url" --Journal:Path="$run/journal.db" \
    --Broker:Prefix="$prefix" --Journal:Retention="$1" >>"$run/scheduler.log" 2>&1 &
  scheduler_pid=$!
}

until_ready() { until curl -fsS "$url/health/ready" >/dev/null 2>&1; do sleep 0.05; done; }
